package io.flexroute.transport.http.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The one place that knows Jackson's {@link ObjectMapper}: parses worker answers into trees and
 * writes request trees to bytes, and hands out streaming parsers with the same settings for the hot
 * paths that skip the tree. A move to another JSON library (or Jackson 3) touches this package
 * only.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JsonCodec {

  private final ObjectMapper mapper;
  private final ObjectReader reader;
  private final boolean ownMapper;

  private JsonCodec(ObjectMapper mapper, boolean ownMapper) {
    this.mapper = mapper;
    this.ownMapper = ownMapper;
    this.reader =
        mapper
            .reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // Python's json module writes NaN and -Infinity for undefined logprobs.
            .with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Logprobs are full-precision doubles, one or more per output token; this parser
            // gives the same doubles as Double.parseDouble at a fraction of its cost.
            .with(StreamReadFeature.USE_FAST_DOUBLE_PARSER);
  }

  /**
   * A codec over a mapper of its own.
   *
   * @return the codec
   */
  public static JsonCodec createDefault() {
    return new JsonCodec(configure(new ObjectMapper()), true);
  }

  /**
   * A codec over a copy of the caller's mapper; the caller's instance is never changed.
   *
   * @param userMapper the mapper to copy
   * @return the codec
   */
  public static JsonCodec copyOf(ObjectMapper userMapper) {
    return new JsonCodec(configure(userMapper.copy()), false);
  }

  private static ObjectMapper configure(ObjectMapper own) {
    own.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    return own;
  }

  /**
   * The codec's own mapper (a copy when the caller gave one), for tests.
   *
   * @return the mapper; callers must not change it
   */
  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * A new empty JSON object.
   *
   * @return the object
   */
  public ObjectNode newObject() {
    return mapper.createObjectNode();
  }

  /**
   * A new empty JSON array.
   *
   * @return the array
   */
  public ArrayNode newArray() {
    return mapper.createArrayNode();
  }

  /**
   * Converts a JSON value given as Java objects (maps, lists, strings, numbers, booleans, null).
   *
   * @param value the value
   * @return the tree
   */
  public JsonNode valueToTree(@Nullable Object value) {
    if (value == null) {
      return NullNode.getInstance();
    }
    // The common scalars (flags such as ignore_eos, names, counts) skip the mapper's general
    // conversion, which buffers every value as tokens first; a mapper writes them the same way.
    if (value instanceof Boolean b) {
      return BooleanNode.valueOf(b);
    }
    if (value instanceof String text) {
      return TextNode.valueOf(text);
    }
    if (value instanceof Integer i) {
      return IntNode.valueOf(i);
    }
    if (value instanceof Long l) {
      return LongNode.valueOf(l);
    }
    JsonNode node = mapper.valueToTree(value);
    return node == null ? NullNode.getInstance() : node;
  }

  /**
   * Adds {@code extra} fields to a request body. A field the body has already is replaced, except
   * that two objects are merged one level deep (so {@code sampling_params} entries add to the
   * modelled ones) and the fields in {@code reserved} are left alone.
   *
   * @param body the body
   * @param extra the extra fields
   * @param reserved field names the extras must not replace
   */
  public void mergeExtra(ObjectNode body, Map<String, Object> extra, Set<String> reserved) {
    for (Map.Entry<String, Object> e : extra.entrySet()) {
      String name = e.getKey();
      if (reserved.contains(name)) {
        continue;
      }
      JsonNode value = valueToTree(e.getValue());
      JsonNode existing = body.get(name);
      if (existing instanceof ObjectNode target && value instanceof ObjectNode source) {
        target.setAll(source);
      } else {
        body.set(name, value);
      }
    }
  }

  /**
   * Writes a tree as UTF-8 JSON.
   *
   * @param node the tree
   * @return the bytes
   */
  public byte[] write(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      // A tree of plain JSON values always serializes; a custom mapper may still refuse.
      throw new IllegalStateException(
          "could not write a request body: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses one JSON document.
   *
   * @param bytes UTF-8 JSON
   * @param what what the document is, for the error message
   * @return the tree, never a missing node
   * @throws JsonShapeException if the bytes are not one JSON document
   */
  public JsonNode parse(byte[] bytes, String what) {
    JsonNode node;
    try {
      node = reader.readTree(bytes);
    } catch (IOException e) {
      throw new JsonShapeException(what + " is not valid JSON: " + shortMessage(e), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new JsonShapeException(what + " is empty");
    }
    return node;
  }

  /**
   * Parses one JSON document given as a string.
   *
   * @param text JSON
   * @param what what the document is, for the error message
   * @return the tree, never a missing node
   * @throws JsonShapeException if the text is not one JSON document
   */
  public JsonNode parse(String text, String what) {
    JsonNode node;
    try {
      node = reader.readTree(text);
    } catch (IOException e) {
      throw new JsonShapeException(what + " is not valid JSON: " + shortMessage(e), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new JsonShapeException(what + " is empty");
    }
    return node;
  }

  /** Writes a document to a streaming generator. */
  @FunctionalInterface
  interface DirectWrite {
    /**
     * Writes the document.
     *
     * @param generator the generator
     * @throws IOException if writing fails
     */
    void write(JsonGenerator generator) throws IOException;
  }

  /**
   * Whether {@link #writeDirect}, extra fields appended, gives the tree path's bytes for a body:
   * only over the codec's own mapper, whose settings are known to write a document as the tree
   * path writes its tree (a caller's mapper may indent or otherwise format trees, and its settings
   * are honoured by writing trees), and only when no extra field names a field the body has (which
   * the tree path replaces or merges into in place).
   *
   * @param extra the request's extra fields
   * @param modelled every top-level field the body may hold before its extras
   * @param reserved the fields extras never replace, skipped by both paths
   * @return {@code true} when the direct write may be used
   */
  boolean writesDirectly(Map<String, Object> extra, Set<String> modelled, Set<String> reserved) {
    if (!ownMapper) {
      return false;
    }
    for (String name : extra.keySet()) {
      if (modelled.contains(name) && !reserved.contains(name)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Writes a document with a streaming generator, as UTF-8 bytes.
   *
   * @param body writes the document
   * @return the bytes
   */
  byte[] writeDirect(DirectWrite body) {
    BufferRecycler recycler = mapper.getFactory()._getBufferRecycler();
    try (ByteArrayBuilder out = new ByteArrayBuilder(recycler)) {
      try (JsonGenerator generator = mapper.getFactory().createGenerator(out)) {
        body.write(generator);
      }
      byte[] bytes = out.toByteArray();
      out.release();
      return bytes;
    } catch (IOException e) {
      // Writing to memory does not fail; a value the mapper cannot serialize may.
      throw new IllegalStateException("could not write a request body: " + e.getMessage(), e);
    } finally {
      recycler.releaseToPool();
    }
  }

  /**
   * A document written with a streaming generator, as a tree.
   *
   * @param body writes one JSON object
   * @return the object
   */
  ObjectNode treeOf(DirectWrite body) {
    try (TokenBuffer buffer = new TokenBuffer(mapper, false)) {
      body.write(buffer);
      try (JsonParser parser = buffer.asParser(mapper)) {
        return (ObjectNode) mapper.readTree(parser);
      }
    } catch (IOException e) {
      // Writing to memory does not fail; a value the mapper cannot serialize may.
      throw new IllegalStateException("could not write a request body: " + e.getMessage(), e);
    }
  }

  /**
   * Writes one value given as Java objects, as {@link #valueToTree} and then the tree would.
   *
   * @param generator the generator
   * @param value the value
   * @throws IOException if writing fails
   */
  void writeValue(JsonGenerator generator, @Nullable Object value) throws IOException {
    // valueToTree already turns the common scalars into nodes without the mapper's conversion.
    mapper.writeTree(generator, valueToTree(value));
  }

  /**
   * A streaming parser over a range of UTF-8 bytes, with this codec's reader settings, for hot
   * paths that read values without building a tree.
   *
   * @param bytes the array
   * @param offset where the document starts
   * @param length its length in bytes
   * @return a new parser, to be closed by the caller
   * @throws IOException if the parser cannot be created
   */
  public JsonParser parser(byte[] bytes, int offset, int length) throws IOException {
    return reader.createParser(bytes, offset, length);
  }

  /**
   * Parses a document that may not be JSON, such as an error body.
   *
   * @param text the text
   * @return the tree, or null when the text is not JSON
   */
  public @Nullable JsonNode tryParse(String text) {
    try {
      JsonNode node = reader.readTree(text);
      return node == null || node.isMissingNode() ? null : node;
    } catch (IOException e) {
      return null;
    }
  }

  private static String shortMessage(IOException e) {
    String message =
        e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    return message.length() > 200 ? message.substring(0, 200) + "..." : message;
  }
}
