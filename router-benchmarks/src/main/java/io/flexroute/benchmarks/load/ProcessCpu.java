package io.flexroute.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU time of another process and all its descendants (for example an nginx master and its
 * worker processes), read from Linux's {@code /proc/<pid>/stat} ({@code utime} plus {@code stime}).
 * The kernel counts in clock ticks, usually 10 ms, so read it around runs long enough to make that
 * resolution small.
 *
 * <p>Immutable and thread-safe; every {@link #nanos()} call reads {@code /proc} afresh, so
 * descendants started later are counted from then on.
 */
public final class ProcessCpu {

  private final long rootPid;
  private final long ticksPerSecond;
  private final Path proc;

  private ProcessCpu(long rootPid, long ticksPerSecond, Path proc) {
    this.rootPid = rootPid;
    this.ticksPerSecond = ticksPerSecond;
    this.proc = proc;
  }

  /**
   * Returns a clock for a process tree, read from {@code /proc}.
   *
   * @param rootPid the root process's id, at least 1
   * @param ticksPerSecond the kernel's clock ticks per second ({@code getconf CLK_TCK}), at least 1
   * @return the clock
   * @throws IllegalArgumentException if a value is out of range
   */
  public static ProcessCpu ofTree(long rootPid, long ticksPerSecond) {
    return ofTree(rootPid, ticksPerSecond, Path.of("/proc"));
  }

  static ProcessCpu ofTree(long rootPid, long ticksPerSecond, Path proc) {
    if (rootPid < 1) {
      throw new IllegalArgumentException("rootPid must be >= 1, but was " + rootPid);
    }
    if (ticksPerSecond < 1) {
      throw new IllegalArgumentException("ticksPerSecond must be >= 1, but was " + ticksPerSecond);
    }
    return new ProcessCpu(rootPid, ticksPerSecond, proc);
  }

  /**
   * Returns the root process's id.
   *
   * @return the pid
   */
  public long rootPid() {
    return rootPid;
  }

  /**
   * Returns the CPU time (user and system) used so far by the root process and every live
   * descendant.
   *
   * @return nanoseconds
   * @throws IllegalStateException if the root process is gone
   * @throws UncheckedIOException if {@code /proc} cannot be read
   */
  public long nanos() {
    Map<Long, Stat> all = readAll();
    if (!all.containsKey(rootPid)) {
      throw new IllegalStateException("process " + rootPid + " is not running");
    }
    Map<Long, List<Long>> children = new HashMap<>();
    for (Map.Entry<Long, Stat> e : all.entrySet()) {
      children.computeIfAbsent(e.getValue().parentPid, k -> new ArrayList<>()).add(e.getKey());
    }
    long ticks = 0;
    Deque<Long> pending = new ArrayDeque<>();
    pending.add(rootPid);
    while (!pending.isEmpty()) {
      long pid = pending.poll();
      ticks += all.get(pid).cpuTicks;
      pending.addAll(children.getOrDefault(pid, List.of()));
    }
    return ticks * 1_000_000_000L / ticksPerSecond;
  }

  private Map<Long, Stat> readAll() {
    Map<Long, Stat> all = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          all.put(Long.parseLong(name), parse(Files.readString(dir.resolve("stat"))));
        } catch (NoSuchFileException e) {
          // The process ended while we listed the directory.
        } catch (IOException e) {
          // It ended between opening its stat file and reading it (the read fails with "No such
          // process"); a process that is still there but unreadable is an error.
          boolean ended = "No such process".equals(e.getMessage()) || !Files.isDirectory(dir);
          if (!ended) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + proc, e);
    }
    return all;
  }

  /**
   * Parses one {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and may
   * itself hold spaces and parentheses, so the fields are counted from the last {@code ')'}.
   */
  static Stat parse(String line) {
    int close = line.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc stat line: " + line);
    }
    // After ")": state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10)
    // cminflt(11) majflt(12) cmajflt(13) utime(14) stime(15).
    String[] fields = line.substring(close + 1).trim().split("\\s+");
    if (fields.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc stat line: " + line);
    }
    long parentPid = Long.parseLong(fields[1]);
    long cpuTicks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return new Stat(parentPid, cpuTicks);
  }

  /** The two fields of a stat line that the clock needs. */
  record Stat(long parentPid, long cpuTicks) {}

  @Override
  public String toString() {
    return "ProcessCpu{rootPid=" + rootPid + "}";
  }
}
