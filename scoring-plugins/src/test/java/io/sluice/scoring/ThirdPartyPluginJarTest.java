package io.sluice.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's plugin jar, compiled and packed at test time, is found by ServiceLoader and runs. */
class ThirdPartyPluginJarTest {
  private static final String SOURCE = """
      package com.example.sluice;

      import io.sluice.scoring.*;
      import java.util.Set;

      /** Prefers the pod whose id ends with the configured suffix. */
      public final class SuffixFactory implements PluginFactory {
        public record Args(String suffix) {
          public Args {
            if (suffix == null || suffix.isEmpty()) {
              throw new InvalidArgumentException("suffix", "is required");
            }
          }
        }

        public String type() { return "%s"; }
        public Set<Kind> kinds() { return Set.of(Kind.SCORER); }
        public Class<?> argsType() { return Args.class; }
        public Object create(Kind kind, Object args) {
          String suffix = ((Args) args).suffix();
          return (Scorer) (request, endpoint) -> endpoint.id().endsWith(suffix) ? 1 : 0;
        }
      }
      """;

  @TempDir
  Path dir;

  @Test
  void aPluginJarOnTheClassPathIsFoundAndBuilt() throws Exception {
    try (URLClassLoader loader = jar("suffix")) {
      PluginRegistry registry = PluginRegistry.load(loader);
      ScoringProfile profile = registry.build(new ProfileConfig(null,
          List.of(new PluginConfig("suffix", 1.0, Map.of("suffix", "-b"))), null));

      assertThat(registry.types()).contains("suffix", "token-budget");
      assertThat(registry.factory("suffix").getClass().getClassLoader()).isSameAs(loader);
      assertThat(profile.pick(RequestSnapshot.of("m", 10), List.of(EndpointSnapshot.of("pod-a", 1000, 0),
          EndpointSnapshot.of("pod-b", 1000, 0), EndpointSnapshot.of("pod-c", 1000, 0))).id())
          .isEqualTo("pod-b");
    }
  }

  @Test
  void itsArgumentsAreValidatedLikeBuiltIns() throws Exception {
    try (URLClassLoader loader = jar("suffix")) {
      PluginRegistry registry = PluginRegistry.load(loader);

      assertThatThrownBy(() -> registry.build(new ProfileConfig(null,
          List.of(PluginConfig.of("suffix"), new PluginConfig("suffix", 1.0, Map.of("sufix", "-b"))), null)))
          .isInstanceOf(ProfileException.class)
          .hasMessage("scorers[0].args.suffix (suffix): is required; scorers[1].args.sufix (suffix):"
              + " unknown argument; accepted: suffix");
    }
  }

  @Test
  void aJarThatReusesABuiltInTypeNameIsRefused() throws Exception {
    try (URLClassLoader loader = jar("kv-cache")) {
      assertThatThrownBy(() -> PluginRegistry.load(loader))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("duplicate plugin type 'kv-cache'")
          .hasMessageContaining("and by com.example.sluice.SuffixFactory (file:")
          .hasMessageContaining(dir.getFileName() + "/plugin.jar)");
    }
  }

  /** Compiles the plugin with {@code type} as its type name into plugin.jar and loads it. */
  private URLClassLoader jar(String type) throws IOException {
    Path src = dir.resolve("src/com/example/sluice/SuffixFactory.java");
    Path classes = dir.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, SOURCE.formatted(type));
    String spi = Path.of(PluginFactory.class.getProtectionDomain().getCodeSource().getLocation()
        .getPath()).toString();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, System.err, "--release", "17", "-classpath", spi, "-d",
        classes.toString(), src.toString());
    assertThat(status).as("javac exit status").isZero();

    Path jar = dir.resolve("plugin.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("META-INF/services/" + PluginFactory.class.getName()));
      out.write("com.example.sluice.SuffixFactory\n".getBytes(StandardCharsets.UTF_8));
      try (var paths = Files.walk(classes)) {
        for (Path p : paths.filter(Files::isRegularFile).toList()) {
          out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
          out.write(Files.readAllBytes(p));
        }
      }
    }
    return new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
  }
}
