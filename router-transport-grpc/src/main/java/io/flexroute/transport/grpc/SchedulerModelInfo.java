package io.flexroute.transport.grpc;

import java.util.List;
import java.util.Objects;

/**
 * What an SGLang scheduler reports about its model ({@code GetModelInfo}).
 *
 * <p>Instances are immutable and thread-safe. Strings the server left empty are empty here too.
 *
 * @param modelPath the model's path or hub id
 * @param tokenizerPath the tokenizer's path
 * @param servedModelName the name the model is served under
 * @param weightVersion the current weight version
 * @param generation whether the model generates (false for embedding models)
 * @param maxContextLength the context window in tokens
 * @param maxRequestInputLength the longest prompt accepted, in tokens
 * @param vocabSize the vocabulary size
 * @param eosTokenIds the end-of-sequence token ids
 * @param padTokenId the padding token id
 * @param bosTokenId the beginning-of-sequence token id
 * @param modelType the model type, such as {@code qwen3}
 * @param architectures the model's architectures
 * @param supportsVision whether the model takes images
 * @param preferredSamplingParamsJson the server's preferred sampling parameters as JSON, or empty
 * @param defaultSamplingParamsJson the resolved default sampling parameters as JSON (temperature,
 *     top_p, top_k, min_p, repetition_penalty), or empty
 */
public record SchedulerModelInfo(
    String modelPath,
    String tokenizerPath,
    String servedModelName,
    String weightVersion,
    boolean generation,
    int maxContextLength,
    int maxRequestInputLength,
    int vocabSize,
    List<Integer> eosTokenIds,
    int padTokenId,
    int bosTokenId,
    String modelType,
    List<String> architectures,
    boolean supportsVision,
    String preferredSamplingParamsJson,
    String defaultSamplingParamsJson) {

  /**
   * Validates the fields and copies the lists.
   *
   * @param modelPath the model's path or hub id
   * @param tokenizerPath the tokenizer's path
   * @param servedModelName the name the model is served under
   * @param weightVersion the current weight version
   * @param generation whether the model generates (false for embedding models)
   * @param maxContextLength the context window in tokens
   * @param maxRequestInputLength the longest prompt accepted, in tokens
   * @param vocabSize the vocabulary size
   * @param eosTokenIds the end-of-sequence token ids
   * @param padTokenId the padding token id
   * @param bosTokenId the beginning-of-sequence token id
   * @param modelType the model type, such as {@code qwen3}
   * @param architectures the model's architectures
   * @param supportsVision whether the model takes images
   * @param preferredSamplingParamsJson the server's preferred sampling parameters as JSON, or empty
   * @param defaultSamplingParamsJson the resolved default sampling parameters as JSON (temperature,
   *     top_p, top_k, min_p, repetition_penalty), or empty
   * @throws NullPointerException if a field is null
   */
  public SchedulerModelInfo {
    Objects.requireNonNull(modelPath, "modelPath");
    Objects.requireNonNull(tokenizerPath, "tokenizerPath");
    Objects.requireNonNull(servedModelName, "servedModelName");
    Objects.requireNonNull(weightVersion, "weightVersion");
    eosTokenIds = List.copyOf(eosTokenIds);
    Objects.requireNonNull(modelType, "modelType");
    architectures = List.copyOf(architectures);
    Objects.requireNonNull(preferredSamplingParamsJson, "preferredSamplingParamsJson");
    Objects.requireNonNull(defaultSamplingParamsJson, "defaultSamplingParamsJson");
  }
}
