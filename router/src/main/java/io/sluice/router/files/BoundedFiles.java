package io.sluice.router.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the files the router is pointed at (its config, API key files, tokenizers, TLS) only when
 * they are regular files within a size cap, and never more than the cap even if the file grows
 * while it is read: a path to {@code /dev/zero}, a FIFO or a huge file is an error, not an
 * out-of-memory. Symbolic links are followed (Kubernetes mounts Secrets and ConfigMaps through them).
 */
public final class BoundedFiles {
  /** The config file: far more than any real configuration. */
  public static final long CONFIG = 4L << 20;
  /** An API key file: about 10,000 keys. */
  public static final long KEY_FILE = 1L << 20;
  /** A TLS certificate chain or key. */
  public static final long TLS = 1L << 20;
  /** A tokenizer.json (the largest public ones are about 35 MB). */
  public static final long TOKENIZER = 256L << 20;
  /** A tokenizer_config.json or chat template. */
  public static final long TOKENIZER_CONFIG = 16L << 20;

  private BoundedFiles() {}

  /** Checks that {@code file} is a regular file of at most {@code max} bytes; throws otherwise. */
  public static void check(Path file, long max, String what) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, what + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(what + " " + file + " is not a regular file");
    }
    long size = Files.size(file);
    if (size > max) {
      throw new IOException(what + " " + file + " is " + size + " bytes, more than the " + max + " allowed");
    }
  }

  /** The bytes of {@code file}, after {@link #check}, never more than {@code max}. */
  public static byte[] read(Path file, long max, String what) throws IOException {
    check(file, max, what);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new IOException(what + " " + file + " grew past the " + max + " bytes allowed while it was read");
      }
      return bytes;
    }
  }

  /** The text of {@code file} (UTF-8), as {@link #read}. */
  public static String readString(Path file, long max, String what) throws IOException {
    return new String(read(file, max, what), StandardCharsets.UTF_8);
  }
}
