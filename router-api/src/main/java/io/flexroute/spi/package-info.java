/**
 * Extension points of FlexRoute: routing strategies, transports, tokenizers and listeners. Each is a
 * small interface that can be registered on the router builder or discovered through
 * {@link java.util.ServiceLoader}.
 */
@NullMarked
package io.flexroute.spi;

import org.jspecify.annotations.NullMarked;
