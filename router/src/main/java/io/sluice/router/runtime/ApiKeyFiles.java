package io.sluice.router.runtime;

import io.sluice.router.config.TrafficClassConfig;
import io.sluice.router.files.BoundedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys of traffic classes that list {@code match.apiKeyFiles}: files with one key per line
 * (blank lines and lines starting with {@code #} are skipped). Each key is hashed as it is read
 * and only its SHA-256 is kept. {@link #poll} re-reads a file whose modification time or size
 * changed (a Kubernetes Secret mounted as a volume changes this way too); a file that cannot be
 * read keeps its previous keys and is reported once.
 *
 * <p>Concurrency: {@link #follow} and {@link #poll} are synchronized; they run on the thread that
 * applies configuration and on the file-watch thread.
 */
public final class ApiKeyFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFiles.class);
  static final String SOURCE = "files";

  private record Stamp(long modified, long size) {}

  private record Loaded(Stamp stamp, List<byte[]> digests) {}

  private final TrafficClasses classes;
  /** Files by class name. */
  private Map<String, List<Path>> files = Map.of();
  private final Map<Path, Loaded> loaded = new HashMap<>();

  public ApiKeyFiles(TrafficClasses classes) {
    this.classes = classes;
  }

  /** Reads the key files of {@code configs} and watches them from now on. */
  public synchronized void follow(List<TrafficClassConfig> configs) {
    Map<String, List<Path>> next = new HashMap<>();
    for (TrafficClassConfig config : configs) {
      List<Path> paths = config.spec().match().apiKeyFiles().stream().map(Path::of).toList();
      if (!paths.isEmpty()) {
        next.put(config.name(), paths);
      }
    }
    files = Map.copyOf(next);
    loaded.keySet().retainAll(next.values().stream().flatMap(List::stream).toList());
    refresh(true);
  }

  /** Re-reads the files that changed since they were last read; cheap when none did. */
  public synchronized void poll() {
    refresh(false);
  }

  private void refresh(boolean publish) {
    boolean changed = publish;
    for (List<Path> paths : files.values()) {
      for (Path path : paths) {
        changed |= reload(path);
      }
    }
    if (!changed) {
      return;
    }
    Map<String, List<byte[]>> digests = new HashMap<>();
    files.forEach((name, paths) -> {
      List<byte[]> all = new ArrayList<>();
      paths.forEach(path -> {
        Loaded file = loaded.get(path);
        if (file != null) {
          all.addAll(file.digests());
        }
      });
      digests.put(name, all);
    });
    classes.setKeys(SOURCE, digests);
  }

  /** True when the file's keys changed. */
  private boolean reload(Path path) {
    Loaded before = loaded.get(path);
    Stamp stamp;
    try {
      stamp = new Stamp(Files.getLastModifiedTime(path).toMillis(), Files.size(path));
      if (before != null && Objects.equals(before.stamp(), stamp)) {
        return false;
      }
      List<byte[]> digests = read(path);
      loaded.put(path, new Loaded(stamp, List.copyOf(digests)));
      LOG.info("API key file {}: {} keys", path, digests.size());
      return true;
    } catch (NoSuchFileException e) {
      report(path, before, "does not exist");
    } catch (IOException | RuntimeException e) {
      report(path, before, "cannot be read: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
    return false;
  }

  /**
   * The SHA-256 digests of the keys in {@code path}: one per non-blank line not starting with
   * {@code #}. Throws when the file is not a regular file within {@link BoundedFiles#KEY_FILE}.
   */
  public static List<byte[]> read(Path path) throws IOException {
    List<byte[]> digests = new ArrayList<>();
    for (String line : BoundedFiles.readString(path, BoundedFiles.KEY_FILE, "API key file").split("\\R")) {
      String key = line.strip();
      if (!key.isEmpty() && !key.startsWith("#")) {
        digests.add(TrafficClasses.digestOfKey(key));
      }
    }
    return digests;
  }

  private void report(Path path, Loaded before, String why) {
    Stamp failed = new Stamp(-1, -1);
    if (before == null || !failed.equals(before.stamp())) {
      LOG.warn("API key file {} {}; its previous keys (if any) stay in force", path, why);
      loaded.put(path, new Loaded(failed, before == null ? List.of() : before.digests()));
    }
  }
}
