/**
 * The FlexRoute contract: the {@link io.flexroute.Router}, its requests and results, the worker
 * model and the exception hierarchy rooted at {@link io.flexroute.RouterException}.
 */
@NullMarked
package io.flexroute;

import org.jspecify.annotations.NullMarked;
