package io.flexroute.transport.grpc.internal;

import io.flexroute.RouterClosedException;
import io.flexroute.RouterException;
import io.flexroute.Worker;
import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel per worker, created on first use and kept until the worker leaves the fleet ({@link
 * #release}) or the transport closes.
 *
 * <p>Channels come from, in this order: the channels the caller registered per worker id, the
 * caller's factory, or grpc-okhttp (created here). Only channels created here are shut down by
 * {@link #close()}; those, and the executors they run on (daemon threads named {@code
 * flexroute-grpc-N} and one {@code flexroute-grpc-timer}), belong to the pool. When a worker's URL
 * changes under the same id, a channel created here is replaced and the old one shut down
 * gracefully.
 *
 * <p>Created channels have grpc's own retries turned off, transparent retries included: when a
 * connection breaks, grpc-okhttp reports its open calls as never processed, and grpc-java would
 * send a Generate the worker had already received again, under the same request id, on a new
 * connection, so the engine could run it twice while the router saw no failure. Retrying is the
 * router's job (its retry policy, budget and breaker), so the call fails and the router decides.
 *
 * <p>Thread-safe.
 */
public final class ChannelPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChannelPool.class);

  /** Released workers remembered, for the aborts of their last requests. */
  static final int MAX_RELEASED = 4096;

  /** How long a channel opened for the aborts of a released worker lives before it shuts down. */
  static final Duration ABORT_CHANNEL_LIFETIME = Duration.ofSeconds(30);

  /** How long {@link #close()} waits for calls on created channels to end before forcing. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** The channel settings of channels created here. */
  public record Settings(
      Duration keepAliveTime,
      Duration keepAliveTimeout,
      int maxInboundMessageSize,
      int flowControlWindow,
      @Nullable SSLSocketFactory sslSocketFactory,
      @Nullable String userAgent) {}

  private record Entry(URI target, ManagedChannel channel, boolean owned) {}

  private final Map<String, ManagedChannel> given;
  private final @Nullable Function<Worker, ManagedChannel> factory;
  private final Settings settings;
  private final Map<String, Entry> channels = new ConcurrentHashMap<>();
  // Owned channels replaced after a worker's URL changed: shut down gracefully then, and awaited
  // (or forced) by close() like the current ones, before the executors they run on stop. Guarded
  // by lock.
  private final List<ManagedChannel> retired = new ArrayList<>();
  // Workers released since (removed from the fleet), by id, with the URL released; the oldest
  // beyond MAX_RELEASED are forgotten. Guarded by lock.
  private final Map<String, URI> released =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, URI> eldest) {
          return size() > MAX_RELEASED;
        }
      };
  private final Object lock = new Object();
  private @Nullable ExecutorService executor;
  private @Nullable ScheduledExecutorService timer;
  private volatile boolean closed;

  /**
   * Creates the pool.
   *
   * @param given channels registered by the caller, by worker id; never shut down here
   * @param factory the caller's factory, or null; its channels are never shut down here
   * @param settings the settings of channels created here
   */
  public ChannelPool(
      Map<String, ManagedChannel> given,
      @Nullable Function<Worker, ManagedChannel> factory,
      Settings settings) {
    this.given = Map.copyOf(given);
    this.factory = factory;
    this.settings = settings;
  }

  /**
   * The worker's channel, created if needed.
   *
   * @param worker the worker
   * @return the channel
   * @throws RouterClosedException if the pool is closed
   * @throws RouterException if the worker's URL cannot be a gRPC target or the factory failed
   */
  public ManagedChannel channel(Worker worker) {
    return channel(worker, false);
  }

  /**
   * The channel for an {@code Abort}. For a worker released since (an abort of a request that
   * outlived its worker's removal), a channel created here is not kept: it shuts down gracefully
   * {@link #ABORT_CHANNEL_LIFETIME} after it opened, so the aborts of a removed worker cannot
   * leave a channel open until the transport closes.
   *
   * @param worker the worker
   * @return the channel
   * @throws RouterClosedException if the pool is closed
   * @throws RouterException as {@link #channel}
   */
  public ManagedChannel channelForAbort(Worker worker) {
    return channel(worker, true);
  }

  private ManagedChannel channel(Worker worker, boolean forAbort) {
    ManagedChannel existing = existing(worker);
    if (existing != null) {
      return existing;
    }
    synchronized (lock) {
      if (closed) {
        throw new RouterClosedException();
      }
      if (forAbort && factory == null && worker.baseUrl().equals(released.get(worker.id()))) {
        return shortLived(worker);
      }
      // Called for other than an abort of a released worker: the worker is back in a fleet.
      released.remove(worker.id());
      Entry entry = channels.get(worker.id());
      if (entry != null && entry.target().equals(worker.baseUrl())) {
        return entry.channel();
      }
      Entry created = create(worker);
      channels.put(worker.id(), created);
      if (entry != null && entry.owned()) {
        retire(entry.channel());
      }
      return created.channel();
    }
  }

  /** A channel not kept, that shuts down gracefully after its lifetime. Under the lock. */
  private ManagedChannel shortLived(Worker worker) {
    Entry created = create(worker);
    keepForClose(created.channel());
    ScheduledExecutorService t = timer;
    if (t != null) {
      t.schedule(
          created.channel()::shutdown, ABORT_CHANNEL_LIFETIME.toNanos(), TimeUnit.NANOSECONDS);
    } else {
      created.channel().shutdown();
    }
    return created.channel();
  }

  /**
   * Lets go of a worker's channel after the worker left the fleet. A channel created here is shut
   * down gracefully (its calls finish; {@link #close()} still awaits it); a factory's channel is
   * only forgotten. A channel opened since for another URL under the same id is left alone. The
   * next call for the id opens a channel again.
   *
   * @param worker the worker that left
   */
  public void release(Worker worker) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Entry entry = channels.get(worker.id());
      if (entry != null && !entry.target().equals(worker.baseUrl())) {
        return; // a channel opened since for another URL under the id: not this worker's
      }
      released.put(worker.id(), worker.baseUrl());
      if (entry == null) {
        return;
      }
      channels.remove(worker.id());
      if (entry.owned()) {
        retire(entry.channel());
      }
    }
  }

  /** Shuts an owned channel down gracefully and keeps it for close() to await. Under the lock. */
  private void retire(ManagedChannel channel) {
    channel.shutdown();
    keepForClose(channel);
  }

  /** Keeps an owned channel no entry holds, so that close() awaits it too. Under the lock. */
  private void keepForClose(ManagedChannel channel) {
    retired.removeIf(ManagedChannel::isTerminated);
    retired.add(channel);
  }

  /** The caller's channel for the worker, or the one created for its current URL; null if none. */
  private @Nullable ManagedChannel existing(Worker worker) {
    ManagedChannel mine = given.get(worker.id());
    if (mine != null) {
      return mine;
    }
    Entry entry = channels.get(worker.id());
    return entry != null && entry.target().equals(worker.baseUrl()) ? entry.channel() : null;
  }

  private Entry create(Worker worker) {
    Function<Worker, ManagedChannel> f = factory;
    if (f != null) {
      ManagedChannel channel;
      try {
        channel = f.apply(worker);
      } catch (RuntimeException e) {
        throw new RouterException(
            "the channel factory failed for worker '" + worker.id() + "': " + e, e);
      }
      if (channel == null) {
        throw new RouterException(
            "the channel factory returned no channel for worker '" + worker.id() + "'");
      }
      return new Entry(worker.baseUrl(), channel, false);
    }
    URI url = worker.baseUrl();
    String path = url.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw new RouterException(
          "baseUrl of worker '" + worker.id() + "' has a path, which gRPC cannot use: " + url);
    }
    boolean tls = "grpcs".equals(worker.scheme());
    if (!tls && !"grpc".equals(worker.scheme())) {
      throw new RouterException(
          "worker '" + worker.id() + "' has scheme '" + worker.scheme()
              + "'; the gRPC transport needs grpc or grpcs");
    }
    int port = url.getPort() != -1 ? url.getPort() : (tls ? 443 : 80);
    OkHttpChannelBuilder b = OkHttpChannelBuilder.forAddress(url.getHost(), port);
    if (tls) {
      b.useTransportSecurity();
      SSLSocketFactory ssl = settings.sslSocketFactory();
      if (ssl != null) {
        b.sslSocketFactory(ssl);
      }
    } else {
      b.usePlaintext();
    }
    ensureExecutors();
    b.executor(executor)
        .transportExecutor(executor)
        .scheduledExecutorService(timer)
        .keepAliveTime(settings.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(settings.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveWithoutCalls(true)
        .disableRetry()
        .maxInboundMessageSize(settings.maxInboundMessageSize())
        .flowControlWindow(settings.flowControlWindow());
    String agent = settings.userAgent();
    if (agent != null) {
      b.userAgent(agent);
    }
    log.debug("creating a gRPC channel to worker {} at {}:{}", worker.id(), url.getHost(), port);
    return new Entry(url, b.build(), true);
  }

  private void ensureExecutors() {
    if (executor == null) {
      AtomicInteger count = new AtomicInteger();
      executor =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              60,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              daemon(() -> "flexroute-grpc-" + count.incrementAndGet()));
    }
    if (timer == null) {
      ScheduledThreadPoolExecutor t =
          new ScheduledThreadPoolExecutor(1, daemon(() -> "flexroute-grpc-timer"));
      t.setRemoveOnCancelPolicy(true);
      timer = t;
    }
  }

  private static ThreadFactory daemon(java.util.function.Supplier<String> name) {
    return r -> {
      Thread t = new Thread(r, name.get());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * The channels this pool created and still holds, for tests.
   *
   * @return the channels
   */
  public List<ManagedChannel> ownedChannels() {
    List<ManagedChannel> owned = new ArrayList<>();
    for (Entry e : channels.values()) {
      if (e.owned()) {
        owned.add(e.channel());
      }
    }
    return owned;
  }

  /**
   * Whether the pool is closed.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Shuts down the channels created here and then their executors: calls in flight get {@link
   * #CLOSE_GRACE} to end, then are cancelled. Caller channels are left alone. Idempotent.
   */
  @Override
  public void close() {
    List<ManagedChannel> owned;
    ExecutorService exec;
    ScheduledExecutorService sched;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      owned = ownedChannels();
      owned.addAll(retired);
      retired.clear();
      channels.clear();
      exec = executor;
      sched = timer;
    }
    owned.forEach(ManagedChannel::shutdown);
    long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
    boolean interrupted = false;
    for (ManagedChannel c : owned) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !c.awaitTermination(left, TimeUnit.NANOSECONDS)) {
          c.shutdownNow();
          c.awaitTermination(1, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        interrupted = true;
        c.shutdownNow();
      }
    }
    for (ExecutorService e : new ExecutorService[] {sched, exec}) {
      if (e == null) {
        continue;
      }
      e.shutdown();
      try {
        if (!e.awaitTermination(1, TimeUnit.SECONDS)) {
          e.shutdownNow();
        }
      } catch (InterruptedException ie) {
        interrupted = true;
        e.shutdownNow();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
