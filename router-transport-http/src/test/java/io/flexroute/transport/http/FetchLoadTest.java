package io.flexroute.transport.http;

import static io.flexroute.transport.http.TestSupport.await;
import static io.flexroute.transport.http.TestSupport.failure;
import static io.flexroute.transport.http.TestSupport.json;
import static io.flexroute.transport.http.TestSupport.take;
import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.ApiFlavor;
import io.flexroute.Worker;
import io.flexroute.WorkerException;
import io.flexroute.spi.WorkerLoad;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading workers' self-reported load over HTTP: SGLang's /v1/loads and Prometheus /metrics. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FetchLoadTest {

  @StartStop final MockWebServer server = new MockWebServer();

  private final HttpTransport transport = HttpTransport.create();

  @AfterEach
  void close() {
    transport.close();
  }

  private Worker worker(ApiFlavor flavor) {
    return Worker.builder("w-" + flavor, server.url("/").toString()).flavor(flavor).build();
  }

  private static MockResponse text(int code, String body) {
    return new MockResponse.Builder()
        .code(code)
        .addHeader("Content-Type", "text/plain; version=0.0.4")
        .body(body)
        .build();
  }

  @Test
  void sglang_readsV1LoadsSummingRanksAndAveragingUsage() throws Exception {
    server.enqueue(
        json(
            "{\"timestamp\":\"t\",\"loads\":["
                + "{\"dp_rank\":0,\"num_running_reqs\":3,\"num_waiting_reqs\":1,"
                + "\"token_usage\":0.25},"
                + "{\"dp_rank\":1,\"num_running_reqs\":5,\"queues\":{\"waiting\":2},"
                + "\"token_usage\":0.75}]}"));
    long before = System.nanoTime();

    WorkerLoad load =
        await(transport.fetchLoad(worker(ApiFlavor.SGLANG), FakeCallContext.of("load-1")));

    assertThat(load.runningRequests()).isEqualTo(8);
    assertThat(load.waitingRequests()).isEqualTo(3);
    assertThat(load.kvCacheUsage()).isEqualTo(0.5);
    assertThat(load.reportedAtNanos() - before).isPositive();
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/v1/loads");
  }

  @Test
  void sglang_fallsBackToMetricsWhenV1LoadsIsMissing() throws Exception {
    server.enqueue(json(404, "{\"detail\":\"Not Found\"}"));
    server.enqueue(
        text(
            200,
            "# HELP sglang:num_running_reqs The number of running requests.\n"
                + "# TYPE sglang:num_running_reqs gauge\n"
                + "sglang:num_running_reqs{model_name=\"m\",dp_rank=\"0\"} 4.0\n"
                + "sglang:num_running_reqs{model_name=\"m\",dp_rank=\"1\"} 2.0\n"
                + "sglang:num_queue_reqs{model_name=\"m\",dp_rank=\"0\"} 7.0\n"
                + "sglang:token_usage{model_name=\"m\",dp_rank=\"0\"} 0.5\n"
                + "sglang:token_usage{model_name=\"m\",dp_rank=\"1\"} 0.7\n"
                + "sglang:prompt_tokens_total{model_name=\"m\"} 12345.0\n"));

    WorkerLoad load =
        await(transport.fetchLoad(worker(ApiFlavor.SGLANG), FakeCallContext.of("load-2")));

    assertThat(load.runningRequests()).isEqualTo(6);
    assertThat(load.waitingRequests()).isEqualTo(7);
    assertThat(load.kvCacheUsage()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/v1/loads");
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/metrics");
  }

  @Test
  void vllm_readsMetricsWithEitherKvUsageName() throws Exception {
    server.enqueue(
        text(
            200,
            "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 3.0\n"
                + "vllm:num_requests_waiting{engine=\"0\",model_name=\"m\"} 2.0\n"
                + "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} 0.9\n"));
    server.enqueue(
        text(
            200,
            "vllm_num_requests_running{model_name=\"a \\\"quoted} name\"} 1\n"
                + "vllm_gpu_cache_usage_perc 0.2 1712345678000\n"));

    WorkerLoad current =
        await(transport.fetchLoad(worker(ApiFlavor.VLLM), FakeCallContext.of("load-3")));
    WorkerLoad former =
        await(transport.fetchLoad(worker(ApiFlavor.VLLM), FakeCallContext.of("load-4")));

    assertThat(current.runningRequests()).isEqualTo(3);
    assertThat(current.waitingRequests()).isEqualTo(2);
    assertThat(current.kvCacheUsage()).isEqualTo(0.9);
    assertThat(former.runningRequests()).isEqualTo(1);
    assertThat(former.waitingRequests()).isZero();
    assertThat(former.kvCacheUsage()).isEqualTo(0.2);
    assertThat(take(server).getUrl().encodedPath()).isEqualTo("/metrics");
  }

  @Test
  void sglang_whenBothPathsFail_theFailureCarriesWhyV1LoadsFailedToo() {
    server.enqueue(json(401, "{\"detail\":\"Unauthorized\"}"));
    server.enqueue(json(404, "{\"detail\":\"Not Found\"}"));

    Throwable error =
        failure(transport.fetchLoad(worker(ApiFlavor.SGLANG), FakeCallContext.of("load-3")));

    assertThat(error)
        .isInstanceOfSatisfying(WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    assertThat(error.getSuppressed())
        .singleElement()
        .isInstanceOfSatisfying(WorkerException.class, e -> assertThat(e.statusCode()).isEqualTo(401));
  }

  @Test
  void metricsWithoutLoadFiguresFailAsMalformed() {
    server.enqueue(text(200, "# nothing here\nprocess_cpu_seconds_total 1.5\n"));

    Throwable error =
        failure(transport.fetchLoad(worker(ApiFlavor.OPENAI), FakeCallContext.of("load-5")));

    assertThat(error).isInstanceOf(WorkerException.class);
    assertThat(error.getMessage()).contains("running-request count");
  }

  @Test
  void kvUsageMissingIsNaN() throws Exception {
    server.enqueue(json("{\"loads\":[{\"dp_rank\":0,\"num_running_reqs\":1}]}"));

    WorkerLoad load =
        await(transport.fetchLoad(worker(ApiFlavor.SGLANG), FakeCallContext.of("load-6")));

    assertThat(load.runningRequests()).isEqualTo(1);
    assertThat(load.kvCacheUsage()).isNaN();
  }
}
