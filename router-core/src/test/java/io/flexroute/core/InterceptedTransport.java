package io.flexroute.core;

import io.flexroute.spi.Transport;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** Wraps a transport so that a test sees (and may hold up) every method called on it. */
final class InterceptedTransport {

  /** Runs before each call to the wrapped transport, on the calling thread. */
  @FunctionalInterface
  interface BeforeCall {
    void before(Method method) throws Exception;
  }

  /** As {@link BeforeCall}, also seeing the call's arguments (null for none). */
  @FunctionalInterface
  interface BeforeCallWithArgs {
    void before(Method method, Object[] args) throws Exception;
  }

  private InterceptedTransport() {}

  /**
   * Returns a transport that runs {@code before} and then the same method on {@code target}.
   *
   * @param target the transport that does the work
   * @param before what the test does first
   * @return the wrapping transport
   */
  static Transport wrap(Transport target, BeforeCall before) {
    return wrapWithArgs(target, (method, args) -> before.before(method));
  }

  /**
   * Returns a transport that runs {@code before} with each call's arguments and then the same
   * method on {@code target}.
   *
   * @param target the transport that does the work
   * @param before what the test does first
   * @return the wrapping transport
   */
  static Transport wrapWithArgs(Transport target, BeforeCallWithArgs before) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          before.before(method, args);
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (Transport)
        Proxy.newProxyInstance(
            Transport.class.getClassLoader(), new Class<?>[] {Transport.class}, handler);
  }
}
