/**
 * The default {@link io.flexroute.Router} implementation's public extras: Micrometer metrics. The
 * router itself is built with {@link io.flexroute.Router#builder()}.
 */
@NullMarked
package io.flexroute.core;

import org.jspecify.annotations.NullMarked;
