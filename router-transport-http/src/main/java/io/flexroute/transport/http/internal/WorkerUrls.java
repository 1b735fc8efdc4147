package io.flexroute.transport.http.internal;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the URL of a call from a worker's base URL and a path, parsing each pair once: parsing
 * a URL is a noticeable part of a call's own cost, and a router calls the same few paths of the
 * same workers over and over.
 *
 * <p>Bounded: past {@value #MAX_BASES} base URLs (workers come and go) or {@value #MAX_PATHS} paths
 * per base URL, the cache starts over, so it cannot grow without end.
 *
 * <p>Thread-safe.
 */
final class WorkerUrls {

  static final int MAX_BASES = 4096;
  static final int MAX_PATHS = 64;

  private final ConcurrentHashMap<URI, ConcurrentHashMap<String, HttpUrl>> byBase =
      new ConcurrentHashMap<>();

  /**
   * Returns the URL of {@code path} below {@code baseUrl}.
   *
   * @param baseUrl the worker's base URL, without a trailing slash (a worker keeps its instance, so
   *     lookups mostly compare it by identity)
   * @param path the path, starting with {@code /}, possibly with a query
   * @return the URL, or null if the two do not make an http or https URL
   */
  @Nullable HttpUrl resolve(URI baseUrl, String path) {
    ConcurrentHashMap<String, HttpUrl> paths = byBase.get(baseUrl);
    if (paths != null) {
      HttpUrl cached = paths.get(path);
      if (cached != null) {
        return cached;
      }
    }
    HttpUrl parsed = HttpUrl.parse(baseUrl + path);
    if (parsed == null) {
      return null;
    }
    if (paths == null) {
      if (byBase.size() >= MAX_BASES) {
        byBase.clear();
      }
      paths = byBase.computeIfAbsent(baseUrl, k -> new ConcurrentHashMap<>());
    }
    if (paths.size() >= MAX_PATHS) {
      paths.clear();
    }
    paths.putIfAbsent(path, parsed);
    return parsed;
  }

  /** The number of base URLs cached, for tests. */
  int size() {
    return byBase.size();
  }
}
