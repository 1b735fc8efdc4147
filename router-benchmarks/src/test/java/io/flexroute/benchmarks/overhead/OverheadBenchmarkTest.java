package io.flexroute.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;

import io.flexroute.testkit.worker.FakeWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run of the whole benchmark against in-process fake workers, so that it keeps working. One
 * of the workers stands in for the proxy, and this process for the proxy's process; no figure is
 * checked, only that every table, chart and the document region are written.
 */
class OverheadBenchmarkTest {

  private final FakeWorker first = WorkerFleet.start();
  private final FakeWorker second = WorkerFleet.start();

  @TempDir Path out;

  @AfterEach
  void tearDown() {
    first.close();
    second.close();
  }

  @Test
  void writesTablesChartsAndTheDocumentRegion() throws Exception {
    Path doc = out.resolve("benchmarks.md");
    Files.writeString(doc, "# Benchmarks\n" + DocRegion.BEGIN + "\n" + DocRegion.END + "\n");
    long self = ProcessHandle.current().pid();

    String report =
        OverheadBenchmark.run(
            OverheadOptions.parse(
                new String[] {
                  "--workers=" + first.baseUrl() + "," + second.baseUrl(),
                  "--proxy=" + second.baseUrl(),
                  "--proxy-pid=" + self,
                  "--worker-pid=" + self,
                  "--concurrency=1,2",
                  "--requests=12",
                  "--rounds=2",
                  "--warmup=4",
                  "--jit-warmup=4",
                  "--max-tokens=4",
                  "--out=" + out,
                  "--doc=" + doc
                }));

    assertThat(report)
        .contains("Plain (non-streaming) requests", "Streaming requests (SSE)",
            "| 2 | FlexRoute |", "| 1 | nginx |", "| 1 | direct (control) |",
            "Against the targets", "| stream | 2 |", "transport calls (flexroute-http)");
    assertThat(Files.readString(out.resolve("results.md"))).isEqualTo(report);
    assertThat(Files.readString(doc)).contains("| 2 | FlexRoute |").startsWith("# Benchmarks\n");
    for (String chart :
        new String[] {
          "overhead-latency-plain.svg", "overhead-latency-stream.svg", "overhead-cpu.svg"
        }) {
      assertThat(Files.readString(out.resolve(chart))).startsWith("<svg").endsWith("</svg>\n");
    }
  }
}
