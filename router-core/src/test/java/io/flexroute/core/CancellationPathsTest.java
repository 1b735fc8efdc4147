package io.flexroute.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.GenerateChunk;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.RequestCancelledException;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.SamplingParams;
import io.flexroute.Worker;
import io.flexroute.testkit.worker.FakeWorker;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.transport.http.HttpTransport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a request ends when its caller or the router ends it: the worker is asked to abort, and the
 * end is a cancellation, never a fault blamed on the worker.
 */
class CancellationPathsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FakeWorker fake = FakeWorker.builder().start();
  private final HttpTransport transport = HttpTransport.create();
  private final Router router =
      Router.builder()
          .transport(transport)
          .worker(Worker.builder("w", fake.baseUrl()).build())
          .build();

  @AfterEach
  void tearDown() {
    router.close();
    fake.close();
    transport.close();
  }

  private static GenerateRequest prompt() {
    return GenerateRequest.builder()
        .text("hello")
        .sampling(SamplingParams.builder().maxNewTokens(4).build())
        .build();
  }

  @Test
  void closingTheRouter_asksTheWorkerToAbortWhatIsRunning() throws Exception {
    fake.enqueue(Fault.stallAfterHeaders());
    CompletableFuture<GenerateResult> running = router.generateAsync(prompt());
    assertThat(fake.awaitActiveRequests(1, WAIT)).isTrue();

    router.close();

    assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RouterClosedException.class);
    assertThat(fake.awaitRequests("/abort_request", 1, WAIT)).isTrue();
    fake.releaseStalls();
  }

  @Test
  void anInterruptedStreamReader_getsACancellationNotAWorkerFault() throws Exception {
    FakeWorker slow =
        FakeWorker.builder().interTokenDelay(Duration.ofMillis(200)).start();
    try (Router slowRouter =
        Router.builder()
            .transport(transport)
            .worker(Worker.builder("slow", slow.baseUrl()).build())
            .build()) {
      Throwable failure = null;
      try (ResponseStream<GenerateChunk> stream =
          slowRouter.generateStream(
              GenerateRequest.builder()
                  .text("hello")
                  .sampling(SamplingParams.builder().maxNewTokens(50).ignoreEos(true).build())
                  .build())) {
        var chunks = stream.iterator();
        assertThat(chunks.hasNext()).isTrue();
        chunks.next();
        // The reader is interrupted between two chunks; its next read sees the interrupt (a read
        // already blocked in a socket would not, an OkHttp limit the user guide states).
        Thread.currentThread().interrupt();
        chunks.hasNext();
      } catch (Throwable t) {
        failure = t;
      } finally {
        Thread.interrupted();
      }

      assertThat(failure).isInstanceOf(RequestCancelledException.class);
      // Not counted against the worker, and not retried.
      assertThat(slowRouter.workers().views().get(0).breakerState().name()).isEqualTo("CLOSED");
      assertThat(slow.requests("/generate")).hasSize(1);
      assertThat(slow.awaitRequests("/abort_request", 1, WAIT)).isTrue();
    } finally {
      slow.close();
    }
  }

  @Test
  void aPublisherSubscribedAfterClose_failsWithRouterClosed() throws Exception {
    router.close();
    AtomicReference<Throwable> error = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);

    router
        .generatePublisher(prompt())
        .subscribe(
            new Flow.Subscriber<GenerateChunk>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(1);
              }

              @Override
              public void onNext(GenerateChunk item) {}

              @Override
              public void onError(Throwable throwable) {
                error.set(throwable);
                ended.countDown();
              }

              @Override
              public void onComplete() {
                ended.countDown();
              }
            });

    assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(error.get()).isInstanceOf(RouterException.class);
  }
}
