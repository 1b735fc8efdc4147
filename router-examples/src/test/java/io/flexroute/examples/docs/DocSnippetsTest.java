package io.flexroute.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the Java code in the documentation true: every {@code ```java} block in {@code README.md}
 * and {@code docs/} must be preceded by a {@code <!-- snippet: Class#tag -->} marker and equal,
 * line for line, the region between {@code // tag::tag[]} and {@code // end::tag[]} in that class
 * of this package, whose tests compile and run it.
 */
class DocSnippetsTest {

  private static final Pattern MARKER =
      Pattern.compile("<!--\\s*snippet:\\s*([A-Za-z0-9_]+)#([A-Za-z0-9_-]+)\\s*-->");

  private static final Path PROJECT = projectRoot();

  private static final Path SNIPPETS =
      PROJECT.resolve("router-examples/src/test/java/io/flexroute/examples/docs");

  @Test
  void everyJavaBlockInTheDocsIsACompiledAndTestedSnippet() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path doc : documents()) {
      List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).strip().equals("```java")) {
          continue;
        }
        String where = PROJECT.relativize(doc) + ":" + (i + 1);
        Matcher marker = MARKER.matcher(previousNonBlank(lines, i));
        int end = closingFence(lines, i);
        if (!marker.find()) {
          problems.add(where + ": java block without a <!-- snippet: Class#tag --> marker");
        } else if (end < 0) {
          problems.add(where + ": java block is not closed");
        } else {
          List<String> block = lines.subList(i + 1, end);
          String problem = compare(block, marker.group(1), marker.group(2));
          if (problem != null) {
            problems.add(where + ": " + problem);
          }
          checked++;
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(checked).as("snippets checked").isPositive();
  }

  @Test
  void regionsAreExtractedWithoutTheirCommonIndentation() {
    List<String> source =
        List.of(
            "class A {",
            "    // tag::x[]",
            "    int a = 1;",
            "      int b = 2;",
            "    // end::x[]",
            "}");
    assertThat(region(source, "x")).containsExactly("int a = 1;", "  int b = 2;");
    assertThat(region(source, "missing")).isNull();
  }

  private static String compare(List<String> block, String className, String tag) {
    Path source = SNIPPETS.resolve(className + ".java");
    if (!Files.isRegularFile(source)) {
      return "no snippet class " + className + " in " + PROJECT.relativize(SNIPPETS);
    }
    List<String> region;
    try {
      region = region(Files.readAllLines(source, StandardCharsets.UTF_8), tag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (region == null) {
      return "no region '" + tag + "' in " + className;
    }
    List<String> shown = block.stream().map(String::stripTrailing).toList();
    if (!shown.equals(region)) {
      return "differs from " + className + "#" + tag + "; expected:\n" + String.join("\n", region);
    }
    return null;
  }

  /** The lines between the tag's markers, without their common indentation, or null. */
  static List<String> region(List<String> source, String tag) {
    int start = -1;
    for (int i = 0; i < source.size(); i++) {
      String line = source.get(i).strip();
      if (line.equals("// tag::" + tag + "[]")) {
        start = i + 1;
      } else if (line.equals("// end::" + tag + "[]") && start >= 0) {
        List<String> body = source.subList(start, i);
        int indent =
            body.stream()
                .filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length())
                .min()
                .orElse(0);
        return body.stream()
            .map(l -> l.isBlank() ? "" : l.substring(indent).stripTrailing())
            .toList();
      }
    }
    return null;
  }

  private static String previousNonBlank(List<String> lines, int index) {
    for (int i = index - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        return lines.get(i);
      }
    }
    return "";
  }

  private static int closingFence(List<String> lines, int open) {
    for (int i = open + 1; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("```")) {
        return i;
      }
    }
    return -1;
  }

  private static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(PROJECT.resolve("README.md"));
    try (Stream<Path> files = Files.walk(PROJECT.resolve("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** The reactor root: the nearest directory above the working directory holding README.md. */
  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no docs/ directory above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
