package io.flexroute.transport.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The message taken from a worker's error body names the problem and never quotes the request:
 * FastAPI's validation errors echo the rejected input, which may be the prompt.
 */
class ErrorMessageTest {

  private static final String PROMPT = "my secret prompt about the merger";

  private final Failures failures = new Failures(JsonCodec.createDefault());

  @Test
  void validationErrors_keepTheirMessagesAndLocations_notTheInput() {
    String body =
        "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"sampling_params\",\"max_new_tokens\"],"
            + "\"msg\":\"Field required\",\"input\":{\"text\":\"" + PROMPT + "\"}},"
            + "{\"type\":\"int_parsing\",\"loc\":[\"body\",\"n\"],\"msg\":\"Input should be a valid"
            + " integer\",\"input\":\"" + PROMPT + "\",\"ctx\":{\"x\":\"" + PROMPT + "\"}}]}";

    String message = failures.errorMessage(body);

    assertThat(message)
        .isEqualTo("Field required at body.sampling_params.max_new_tokens; Input should be a valid"
            + " integer at body.n")
        .doesNotContain(PROMPT);
  }

  @Test
  void errorBodiesOfUnknownShape_areDescribedByTheirFields() {
    assertThat(failures.errorMessage("{\"input\":\"" + PROMPT + "\",\"code\":7}"))
        .isEqualTo("error body without a message (fields [input, code])");
    assertThat(failures.errorMessage("{\"detail\":{\"input\":\"" + PROMPT + "\"}}"))
        .isEqualTo("validation failed (details not shown)");
  }

  @Test
  void theUsualForms_giveTheWorkersMessage() {
    assertThat(failures.errorMessage("{\"detail\":\"Not Found\"}")).isEqualTo("Not Found");
    assertThat(failures.errorMessage("{\"error\":{\"message\":\"context too long\"}}"))
        .isEqualTo("context too long");
    assertThat(failures.errorMessage("{\"object\":\"error\",\"message\":\"bad model\"}"))
        .isEqualTo("bad model");
    assertThat(failures.errorMessage("upstream timed out")).isEqualTo("upstream timed out");
  }
}
