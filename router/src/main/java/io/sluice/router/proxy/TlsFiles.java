package io.sluice.router.proxy;

import io.sluice.router.config.RouterSettings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import io.sluice.router.files.BoundedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The data port's certificate and key (PEM files, e.g. a Kubernetes TLS Secret mounted as a
 * volume). The files are read into memory so that a change of content, not of path, makes new
 * options; {@link #changed} tells when their modification time or size moved.
 *
 * <p>Concurrency: {@link #changed} and {@link #read} are called from the file-watch thread only
 * (and once at startup, before it runs).
 */
public final class TlsFiles {
  private final Path cert;
  private final Path key;
  private List<Long> stamp = List.of();

  public TlsFiles(RouterSettings.Tls tls) {
    this.cert = Path.of(tls.certFile());
    this.key = Path.of(tls.keyFile());
  }

  /** The options for the files as they are now; throws when they cannot be read. */
  public PemKeyCertOptions read() {
    try {
      stamp = stamp();
      return new PemKeyCertOptions()
          .setCertValue(Buffer.buffer(BoundedFiles.read(cert, BoundedFiles.TLS, "TLS certificate")))
          .setKeyValue(Buffer.buffer(BoundedFiles.read(key, BoundedFiles.TLS, "TLS key")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS certificate " + cert + " or key " + key, e);
    }
  }

  /** True when either file changed since it was last read (or cannot be read now). */
  public boolean changed() {
    try {
      return !stamp().equals(stamp);
    } catch (IOException e) {
      return false; // mid-rotation, or gone: keep serving the certificate in force
    }
  }

  private List<Long> stamp() throws IOException {
    return List.of(Files.getLastModifiedTime(cert).toMillis(), Files.size(cert),
        Files.getLastModifiedTime(key).toMillis(), Files.size(key));
  }

  @Override
  public String toString() {
    return cert + " / " + key;
  }
}
