package io.sluice.router.estimate;

import io.sluice.crd.ModelPoolSpec;
import io.sluice.crd.TokenizerSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds a pool's {@link TokenEstimator} from its {@link ModelPoolSpec}. */
public final class TokenEstimators {
  /** Prompts whose engine count is kept, per pool. */
  public static final long ENGINE_CACHE_ENTRIES = 10_000;

  private TokenEstimators() {}

  /**
   * The estimator for a pool.
   *
   * @param spec the pool's spec (tokenizer and budget)
   * @param baseDir directory a relative {@code tokenizer.path} is resolved against
   * @param worker bounded executor for exact counting, shared by all pools (see
   *     {@link #newWorkerPool})
   * @param remote the pods' tokenize API, used when {@code tokenizer.type} is {@code engine}
   * @param listener told of every fallback to the approximate count
   */
  public static TokenEstimator forPool(ModelPoolSpec spec, Path baseDir, Executor worker, RemoteTokenizer remote,
      EstimatorListener listener) {
    TokenizerSpec tokenizer = spec.tokenizer();
    return new TokenEstimator(counter(tokenizer, baseDir, remote, listener), tokenizer.imageTokens(),
        new OutputPredictor(OutputPredictor.Settings.from(spec.budget())),
        ReservationPolicy.from(spec.budget()), worker, listener);
  }

  /** The prompt counter {@code spec} asks for; loads tokenizer files, so call it off event loops. */
  public static PromptCounter counter(TokenizerSpec spec, Path baseDir, RemoteTokenizer remote,
      EstimatorListener listener) {
    return switch (spec.type()) {
      case APPROXIMATE -> new ApproximateCounter(spec.imageTokens());
      case HUGGINGFACE -> HuggingFaceCounter.load(tokenizerPath(spec.path(), baseDir),
          spec.chatTemplate() == null ? null : localPath("chatTemplate", spec.chatTemplate(), baseDir),
          SegmentCache.defaults(), spec.imageTokens());
      case TIKTOKEN -> TiktokenCounter.of(spec.encoding(), SegmentCache.defaults(), spec.imageTokens());
      case ENGINE -> new EngineCounter(remote, spec.timeout(), spec.imageTokens(), ENGINE_CACHE_ENTRIES, listener);
    };
  }

  /**
   * A worker pool for exact counting: {@code threads} daemon threads and a queue of
   * {@code queueCapacity} tasks; past that, submissions are rejected (and estimates fall back).
   */
  public static ThreadPoolExecutor newWorkerPool(int threads, int queueCapacity) {
    AtomicInteger ids = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "sluice-estimator-" + ids.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
  }

  private static Path tokenizerPath(String path, Path baseDir) {
    if (path == null || path.isBlank()) {
      throw new IllegalArgumentException("tokenizer type huggingface needs tokenizer.path (a tokenizer.json)");
    }
    return localPath("path", path, baseDir);
  }

  private static Path localPath(String field, String path, Path baseDir) {
    if (TokenizerSpec.isDownload(path)) {
      throw new IllegalArgumentException("tokenizer." + field + " '" + path
          + "' is a URL; the estimator reads local files: download the file and mount it");
    }
    if (path.startsWith(TokenizerSpec.FILE_PREFIX)) {
      return Path.of(URI.create(path));
    }
    Path file = Path.of(path);
    return file.isAbsolute() || baseDir == null ? file : baseDir.resolve(file);
  }
}
