package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flexroute.ApiFlavor;
import io.flexroute.ChatChunk;
import io.flexroute.ChatCompletion;
import io.flexroute.ChatMessage;
import io.flexroute.ChatRequest;
import io.flexroute.GenerateRequest;
import io.flexroute.GenerateResult;
import io.flexroute.NoEligibleWorkerException;
import io.flexroute.RequestRejectedException;
import io.flexroute.RequestTimeoutException;
import io.flexroute.ResponseStream;
import io.flexroute.Router;
import io.flexroute.RouterException;
import io.flexroute.SamplingParams;
import io.flexroute.TokenIds;
import io.flexroute.Worker;
import io.flexroute.WorkerChangeListener;
import io.flexroute.WorkerException;
import io.flexroute.testkit.worker.Fault;
import io.flexroute.testkit.worker.FakeWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snippets of docs/user-guide.md, run against fake workers. */
class UserGuideSnippets {

  private FakeWorker fakeA;
  private FakeWorker fakeB;
  private Router router;

  @BeforeEach
  void start() {
    fakeA = FakeWorker.builder().model("qwen3-8b").start();
    fakeB = FakeWorker.builder().model("qwen3-8b").start();
    router = build(fakeA.baseUrl(), fakeB.baseUrl());
  }

  @AfterEach
  void stop() {
    router.close();
    fakeA.close();
    fakeB.close();
  }

  private static Router build(String urlA, String urlB) {
    // tag::build[]
    Router router = Router.builder()
        .worker(Worker.builder("gpu-0", urlA)
            .model("qwen3-8b")
            .flavor(ApiFlavor.SGLANG)
            .build())
        .worker(Worker.builder("gpu-1", urlB)
            .model("qwen3-8b")
            .flavor(ApiFlavor.SGLANG)
            .weight(2)
            .build())
        .strategy("power_of_two")
        .defaultTimeout(Duration.ofSeconds(30))
        .build();
    // end::build[]
    return router;
  }

  @Test
  void generateText() {
    // tag::generate-text[]
    GenerateResult result = router.generate(GenerateRequest.builder()
        .model("qwen3-8b")
        .text("The capital of France is")
        .sampling(SamplingParams.builder().maxNewTokens(16).temperature(0.0).build())
        .returnLogprob(true)
        .build());
    System.out.println(result.text() + " [" + result.finishReason() + ", "
        + result.usage().completionTokens() + " tokens from " + result.workerId() + "]");
    // end::generate-text[]
    assertThat(result.outputIds().size()).isEqualTo(result.usage().completionTokens());
    assertThat(result.outputLogprobs().size()).isEqualTo(result.outputIds().size());
    assertThat(result.workerId()).isIn("gpu-0", "gpu-1");
  }

  @Test
  void generateTokens() {
    // tag::generate-tokens[]
    GenerateResult result = router.generate(GenerateRequest.builder()
        .model("qwen3-8b")
        .inputIds(TokenIds.of(151644, 872, 198, 9707, 151645))
        .sampling(SamplingParams.builder().maxNewTokens(8).build())
        .returnLogprob(true)
        .build());
    int[] outputIds = result.outputIds().toArray();
    double[] logprobs = result.outputLogprobs().toArray();
    // end::generate-tokens[]
    assertThat(outputIds).hasSize(logprobs.length).isNotEmpty();
  }

  @Test
  void requestOptions() {
    // tag::request-options[]
    ChatRequest request = ChatRequest.builder()
        .model("qwen3-8b")
        .message(ChatMessage.system("You are terse."))
        .message(ChatMessage.user("Say hi."))
        .maxTokens(16)
        .temperature(0.7)
        .requestId("job-42-step-7")              // sent to the worker; generated when absent
        .routingKey("conversation-9f2c")         // used by affinity and hashing strategies
        .timeout(Duration.ofSeconds(5))          // this request's deadline, retries included
        .header("X-Tenant", "research")          // added to the worker call
        .build();
    ChatCompletion answer = router.chat(request);
    // end::request-options[]
    assertThat(answer.requestId()).isEqualTo("job-42-step-7");
    assertThat(fakeA.requests().size() + fakeB.requests().size()).isEqualTo(1);
  }

  @Test
  void async() throws Exception {
    // tag::async[]
    List<CompletableFuture<ChatCompletion>> answers = new ArrayList<>();
    for (String city : List.of("Paris", "Rome", "Oslo")) {
      answers.add(router.chatAsync(ChatRequest.builder()
          .model("qwen3-8b")
          .message(ChatMessage.user("One fact about " + city + "."))
          .maxTokens(24)
          .build()));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
    answers.forEach(a -> System.out.println(a.join().content()));
    // end::async[]
    assertThat(answers).allSatisfy(a -> assertThat(a.join().content()).isNotBlank());
    assertThat(fakeA.requests().size() + fakeB.requests().size()).isEqualTo(3);
  }

  @Test
  void cancel() throws Exception {
    fakeA.enqueue(Fault.stallBeforeHeaders());
    fakeB.enqueue(Fault.stallBeforeHeaders());
    // tag::cancel[]
    CompletableFuture<ChatCompletion> pending = router.chatAsync(ChatRequest.builder()
        .model("qwen3-8b")
        .message(ChatMessage.user("Write a long story."))
        .build());
    // ... the answer is no longer needed:
    pending.cancel(true);  // aborts the call on the worker and frees its in-flight slot
    // end::cancel[]
    assertThat(pending).isCancelled();
    // The slot is free while the worker still holds the call: the cancel freed it, not an answer.
    assertThat(awaitIdle()).isTrue();
    fakeA.releaseStalls();
    fakeB.releaseStalls();
  }

  @Test
  void stream() {
    StringBuilder text = new StringBuilder();
    // tag::stream[]
    try (ResponseStream<ChatChunk> stream = router.chatStream(ChatRequest.builder()
        .model("qwen3-8b")
        .message(ChatMessage.user("Count to five."))
        .maxTokens(32)
        .build())) {
      for (ChatChunk chunk : stream) {
        System.out.print(chunk.content());   // arrives as the worker produces it
        text.append(chunk.content());
      }
    } // closing early (break, exception) cancels the request on the worker
    // end::stream[]
    assertThat(text).isNotEmpty();
  }

  @Test
  void publisher() throws Exception {
    // tag::publisher[]
    CountDownLatch done = new CountDownLatch(1);
    StringBuilder text = new StringBuilder();
    router.chatPublisher(ChatRequest.builder()
        .model("qwen3-8b")
        .message(ChatMessage.user("Count to five."))
        .maxTokens(32)
        .build())
        .subscribe(new Flow.Subscriber<ChatChunk>() {
          private Flow.Subscription subscription;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);                      // the request is sent on the first demand
          }

          @Override
          public void onNext(ChatChunk chunk) {
            text.append(chunk.content());
            subscription.request(1);           // read the next chunk only when ready
          }

          @Override
          public void onError(Throwable error) {
            done.countDown();
          }

          @Override
          public void onComplete() {
            done.countDown();
          }
        });
    done.await(30, TimeUnit.SECONDS);
    // end::publisher[]
    assertThat(done.getCount()).isZero();
    assertThat(text).isNotEmpty();
  }

  @Test
  void errors() {
    fakeA.enqueue(Fault.status(400), 5);
    fakeB.enqueue(Fault.status(400), 5);
    ChatRequest request =
        ChatRequest.builder().model("qwen3-8b").message(ChatMessage.user("hi")).build();
    List<String> seen = new ArrayList<>();
    // tag::errors[]
    try {
      ChatCompletion answer = router.chat(request);
      System.out.println(answer.content());
    } catch (WorkerException e) {
      // The worker answered an error (statusCode(), errorBody()) or broke the connection.
      // isRetryable(): worker faults (5xx, 408, 429, connection) vs request faults (other 4xx).
      seen.add("worker " + e.workerId() + " said " + e.statusCode());
    } catch (RequestTimeoutException e) {
      seen.add("deadline expired");
    } catch (NoEligibleWorkerException e) {
      seen.add("no worker can serve model " + e.model());
    } catch (RequestRejectedException e) {
      seen.add("refused: " + e.reason());     // CLOSED, QUEUE_FULL, WAIT_TIMEOUT, ...
    } catch (RouterException e) {
      seen.add("other router failure: " + e.getMessage());
    }
    // end::errors[]
    assertThat(seen).singleElement().asString().matches("worker gpu-[01] said 400");
  }

  @Test
  void unknownModelIsATypedError() {
    assertThatThrownBy(
            () ->
                router.chat(
                    ChatRequest.builder()
                        .model("no-such-model")
                        .message(ChatMessage.user("hi"))
                        .build()))
        .isInstanceOf(NoEligibleWorkerException.class)
        .hasMessageContaining("no-such-model");
  }

  @Test
  void workersAtRuntime() throws Exception {
    try (FakeWorker fakeC = FakeWorker.builder().model("qwen3-8b").start()) {
      String urlC = fakeC.baseUrl();
      List<String> events = new ArrayList<>();
      // tag::workers[]
      AutoCloseable subscription = router.workers().addListener(new WorkerChangeListener() {
        @Override
        public void workerAdded(Worker worker) {
          events.add("added " + worker.id());
        }

        @Override
        public void workerRemoved(Worker worker) {
          events.add("removed " + worker.id());
        }
      });
      router.workers().add(Worker.builder("gpu-2", urlC).model("qwen3-8b").build());
      router.workers().remove("gpu-0");   // drains: running requests finish, no new ones start
      System.out.println(router.workers().list());
      subscription.close();
      // end::workers[]
      assertThat(router.workers().list()).extracting(Worker::id).containsExactly("gpu-1", "gpu-2");
      assertThat(events).containsExactly("added gpu-2", "removed gpu-0");
    }
  }

  private boolean awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (router.workers().views().stream().allMatch(v -> v.inFlightRequests() == 0)) {
        return true;
      }
      Thread.sleep(5);
    }
    return false;
  }
}
