/** Runnable demos of FlexRoute. Not published. */
@NullMarked
package io.flexroute.examples;

import org.jspecify.annotations.NullMarked;
