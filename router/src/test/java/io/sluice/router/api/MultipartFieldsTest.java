package io.sluice.router.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The form fields the router reads from a multipart body, and the bodies it refuses. */
class MultipartFieldsTest {
  private static final Set<String> WANTED = Set.of("model", "stream");

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void theBoundaryIsReadFromTheContentType() {
    assertThat(MultipartFields.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
    assertThat(MultipartFields.boundary("Multipart/Form-Data;BOUNDARY=\"a b\"")).isEqualTo("a b");
    assertThat(MultipartFields.boundary("multipart/form-data")).isNull();
    assertThat(MultipartFields.boundary("application/json; boundary=abc")).isNull();
    assertThat(MultipartFields.boundary("multipart/form-data; boundary=" + "x".repeat(71))).isNull();
  }

  @Test
  void textFieldsAreFoundAroundAFilePart() {
    String body = "preamble\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model\"\r\n"
        + "Content-Type: audio/wav\r\n\r\nRIFF\r\n--Bx not a boundary\r\n"
        + "--B\r\ncontent-disposition: form-data; name=model\r\n\r\norg/whisper\r\n"
        + "--B\r\nContent-Disposition: form-data; name=\"stream\"\r\n\r\ntrue\r\n--B--\r\n";
    Map<String, String> fields = MultipartFields.read(bytes(body), "B", WANTED);
    assertThat(fields).containsExactlyInAnyOrderEntriesOf(Map.of("model", "org/whisper", "stream", "true"));
  }

  @Test
  void theFirstOfTwoIsKeptAndAFileNamedModelIsNotTheField() {
    String body = "--B\r\nContent-Disposition: form-data; name=\"model\"; filename=\"m.txt\"\r\n\r\nfile\r\n"
        + "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm1\r\n"
        + "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nm2\r\n--B--";
    assertThat(MultipartFields.read(bytes(body), "B", Set.of("model"))).containsEntry("model", "m1");
  }

  @Test
  void malformedFormsAre400() {
    assertThatThrownBy(() -> MultipartFields.read(bytes("no boundary here"), "B", WANTED))
        .isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> MultipartFields.read(bytes("--B\r\nContent-Disposition: form-data; name=\"model\"\r\n"
        + "\r\nm1"), "B", WANTED)).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> MultipartFields.read(bytes("--B\r\nContent-Disposition: form-data; name=\"model\""),
        "B", WANTED)).isInstanceOf(ApiException.class);
    String huge = "--B\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + "m".repeat(2000) + "\r\n--B--";
    assertThatThrownBy(() -> MultipartFields.read(bytes(huge), "B", WANTED))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().param()).isEqualTo("model"));
  }

  @Test
  void aBodyOfDashesIsReadInLinearTime() {
    byte[] dashes = new byte[8 * 1024 * 1024];
    Arrays.fill(dashes, (byte) '-');
    String boundary = "-".repeat(69) + "x";
    long start = System.nanoTime();
    assertThatThrownBy(() -> MultipartFields.read(dashes, boundary, WANTED)).isInstanceOf(ApiException.class);
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }
}
