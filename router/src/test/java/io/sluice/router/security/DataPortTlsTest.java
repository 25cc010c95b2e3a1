package io.sluice.router.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.router.testing.RouterExtension;
import io.sluice.router.testing.RouterHarness;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TLS on the data port with certificates made in the test; a changed certificate is served without a restart. */
class DataPortTlsTest {
  @TempDir static Path dir;

  @RegisterExtension
  static final RouterExtension router = RouterExtension.builder()
      .beforeStart(() -> install(SelfSignedCertificate.create("first.sluice.test")))
      .settings(router -> "tls: {certFile: \"%s\", keyFile: \"%s\"}".formatted(dir.resolve("tls.crt"),
          dir.resolve("tls.key")))
      .build();

  /** Replaces the files the way a Secret volume changes: new files moved into place. */
  private static void install(SelfSignedCertificate certificate) throws Exception {
    Files.copy(Path.of(certificate.privateKeyPath()), dir.resolve("tls.key.new"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(Path.of(certificate.certificatePath()), dir.resolve("tls.crt.new"), StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("tls.key.new"), dir.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("tls.crt.new"), dir.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static SSLSocket connect() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
      @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
      @Override public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", router.server().port());
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  private static String servedSubject() throws Exception {
    try (SSLSocket socket = connect()) {
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
  }

  @Test
  void theDataPortSpeaksTlsAndServesRequests() throws Exception {
    try (SSLSocket socket = connect()) {
      String body = "{\"model\":\"m1\",\"prompt\":\"hi\",\"max_tokens\":3}";
      socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n"
          + "connection: close\r\ncontent-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aChangedCertificateIsServedWithoutARestart() throws Exception {
    assertThat(servedSubject()).contains("first.sluice.test");
    install(SelfSignedCertificate.create("second.sluice.test"));
    RouterHarness.eventually(() -> {
      try {
        return servedSubject().contains("second.sluice.test");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    install(SelfSignedCertificate.create("first.sluice.test")); // as the other test expects
    RouterHarness.eventually(() -> {
      try {
        return servedSubject().contains("first.sluice.test");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }
}
