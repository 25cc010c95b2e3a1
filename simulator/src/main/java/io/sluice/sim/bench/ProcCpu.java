package io.sluice.sim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of a process and its descendants (nginx workers), from {@code /proc/<pid>/stat}
 * utime + stime in clock ticks. Linux only; a process that is gone counts as zero.
 */
public final class ProcCpu {
  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux ABI in use

  private ProcCpu() {
  }

  /** CPU seconds used so far by {@code process} and every process below it. */
  public static double seconds(ProcessHandle process) {
    long ticks = ticks(process.pid());
    try (Stream<ProcessHandle> below = process.descendants()) {
      ticks += below.mapToLong(p -> ticks(p.pid())).sum();
    }
    return ticks / TICKS_PER_SECOND;
  }

  static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // fields after the command name (which may contain spaces) start at field 3; utime is 14, stime 15
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
