package io.sluice.sim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image is defined twice: by Jib (simulator/pom.xml, profile "image") and by the Dockerfile for
 * teams that build with Docker. Neither can be built here without a registry, so this keeps them
 * saying the same thing: the same JVM flags, user and main class, and files that exist.
 */
class ImageDefinitionTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void theDockerfileAndTheJibProfileDescribeTheSameImage() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

    String jibFlags = first(pom, "<JDK_JAVA_OPTIONS>([^<]+)</JDK_JAVA_OPTIONS>");
    assertThat(first(dockerfile, "JDK_JAVA_OPTIONS=\"([^\"]+)\"")).isEqualTo(jibFlags);
    assertThat(jibFlags).contains("-XX:MaxRAMPercentage=", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp");
    assertThat(first(dockerfile, "(?m)^USER (\\S+)")).isEqualTo(first(pom, "<user>([^<]+)</user>"));
    assertThat(first(dockerfile, "DJL_CACHE_DIR=(\\S+)")).isEqualTo(first(pom, "<DJL_CACHE_DIR>([^<]+)</DJL_CACHE_DIR>"));

    String mainClass = first(pom, "<container>\\s*<mainClass>([^<]+)</mainClass>"); // Jib's, not the shaded jar's
    assertThat(first(dockerfile, "(?m)^ENTRYPOINT \\[.*\"([\\w.]+)\"\\]")).isEqualTo(mainClass);
    assertThat(loads(mainClass)).isTrue();
  }

  @Test
  void everyFileTheDockerfileCopiesFromTheSourcesExists() throws IOException {
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(Files.readString(ROOT.resolve("Dockerfile")));
    List<String> sources = copy.results().map(m -> m.group(1)).toList();
    assertThat(sources).isNotEmpty().allSatisfy(source -> assertThat(ROOT.resolve(source)).exists());
    // Jib copies src/main/jib into the image as it is; the logging flag names the file there.
    assertThat(Path.of("src/main/jib/app/logback.xml")).exists();
  }

  private static String first(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertThat(matcher.find()).as(regex).isTrue();
    return matcher.group(1);
  }

  private static boolean loads(String className) {
    try {
      Class.forName(className, false, ImageDefinitionTest.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
