package io.flexroute.transport.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records the methods of the calls a channel starts, on the starting thread: a test can then tell
 * that the transport did not start a call (an Abort) without waiting for the server to see one.
 */
final class StartedCalls implements ClientInterceptor {

  private final List<String> methods = new CopyOnWriteArrayList<>();

  /** A plaintext channel to the scheduler whose calls this recorder sees. */
  ManagedChannel channelTo(ScriptedScheduler scheduler) {
    return OkHttpChannelBuilder.forAddress("127.0.0.1", scheduler.port())
        .usePlaintext()
        .intercept(this)
        .build();
  }

  /** @return the bare method names of the calls started so far, in order */
  List<String> methods() {
    return List.copyOf(methods);
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(
      MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    methods.add(method.getBareMethodName());
    return next.newCall(method, options);
  }
}
