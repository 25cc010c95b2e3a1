package io.sluice.router.coordination;

import io.sluice.router.config.RedisSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The shared ledger in Redis. Each pod has three keys with one hash tag, so they stay together on a
 * Redis Cluster slot: {@code <prefix>{<pool>/<pod>}:shares} (hash: replica to tokens held),
 * {@code :leases} (sorted set: replica to the time its share lapses, in Redis's own clock, ms) and
 * {@code :waiting} (hash: replica to tokens it asked for and did not get). One Lua script
 * ({@link #LEASE}) reads and writes them atomically: it first drops lapsed shares, then grants. Every
 * call sets the keys to expire one TTL later, so a pod nobody renews leaves nothing behind.
 *
 * <p>Concurrency: Vert.x's pooled Redis client; calls may come from any thread and complete on a
 * Vert.x event loop. Nothing here blocks.
 */
public final class RedisLedger implements SharedLedger, AutoCloseable {

  /**
   * The start of both scripts (KEYS: shares, leases, waiting): Redis's clock as {@code now} in ms,
   * and the shares and waits of replicas whose lease lapsed dropped.
   */
  private static final String DROP_LAPSED = """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
      for _, r in ipairs(lapsed) do
        redis.call('HDEL', KEYS[1], r)
        redis.call('HDEL', KEYS[3], r)
      end
      if #lapsed > 0 then
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
      end
      """;

  /**
   * KEYS: shares, leases, waiting. ARGV: replica, want, keep, budget, ttl (ms), atLeast. Returns
   * {granted, tokens other live replicas wait for}.
   */
  static final String LEASE = DROP_LAPSED + """
      local replica = ARGV[1]
      local want = tonumber(ARGV[2])
      local keep = tonumber(ARGV[3])
      local budget = tonumber(ARGV[4])
      local ttl = tonumber(ARGV[5])
      local atLeast = tonumber(ARGV[6])
      local others = 0
      local shares = redis.call('HGETALL', KEYS[1])
      for i = 1, #shares, 2 do
        if shares[i] ~= replica then others = others + tonumber(shares[i + 1]) end
      end
      local waiting = 0
      local waits = redis.call('HGETALL', KEYS[3])
      for i = 1, #waits, 2 do
        if waits[i] ~= replica then waiting = waiting + tonumber(waits[i + 1]) end
      end
      local granted = math.min(want, math.max(0, budget - others))
      if granted < atLeast then granted = 0 end
      if granted < keep then granted = keep end
      if want <= 0 and keep <= 0 then
        redis.call('HDEL', KEYS[1], replica)
        redis.call('ZREM', KEYS[2], replica)
        redis.call('HDEL', KEYS[3], replica)
        return {0, waiting}
      end
      redis.call('HSET', KEYS[1], replica, granted)
      redis.call('ZADD', KEYS[2], now + ttl, replica)
      if want > granted then
        redis.call('HSET', KEYS[3], replica, want - granted)
      else
        redis.call('HDEL', KEYS[3], replica)
      end
      for k = 1, 3 do redis.call('PEXPIRE', KEYS[k], ttl) end
      return {granted, waiting}
      """;

  /** KEYS: shares, leases, waiting. Drops lapsed shares; returns the sum of the live ones. */
  static final String TOTAL = DROP_LAPSED + """
      local total = 0
      local shares = redis.call('HVALS', KEYS[1])
      for i = 1, #shares do total = total + tonumber(shares[i]) end
      return total
      """;

  private final Redis client;
  private final RedisAPI api;
  private final String prefix;
  private final String ttlMillis;

  /** A client for {@code settings.address()}, with the password from {@value RedisSettings#PASSWORD_VARIABLE}. */
  public static RedisLedger connect(Vertx vertx, RedisSettings settings) {
    RedisOptions options = new RedisOptions().setConnectionString(settings.address())
        .setMaxPoolSize(4).setMaxPoolWaiting(256).setMaxWaitingHandlers(1024);
    options.getNetClientOptions().setConnectTimeout((int) Math.max(1, settings.timeout().toMillis()));
    String password = System.getenv(RedisSettings.PASSWORD_VARIABLE);
    if (password != null && !password.isEmpty()) {
      options.setPassword(password);
    }
    return new RedisLedger(Redis.createClient(vertx, options), settings.keyPrefix(), settings.leaseTtl().toMillis());
  }

  RedisLedger(Redis client, String prefix, long ttlMillis) {
    this.client = client;
    this.api = RedisAPI.api(client);
    this.prefix = prefix;
    this.ttlMillis = Long.toString(ttlMillis);
  }

  /** The key of a pod's shares; the others end in {@code :leases} and {@code :waiting}. */
  public String sharesKey(String pool, String pod) {
    return base(pool, pod) + ":shares";
  }

  private String base(String pool, String pod) {
    return prefix + "{" + pool + "/" + pod + "}";
  }

  private List<String> keys(String pool, String pod) {
    String base = base(pool, pod);
    return List.of(base + ":shares", base + ":leases", base + ":waiting");
  }

  @Override
  public CompletionStage<Grant> lease(String pool, String pod, String replica, long want, long keep, long atLeast,
      long budget) {
    List<String> keys = keys(pool, pod);
    Future<Response> reply;
    try {
      reply = api.eval(List.of(LEASE, "3", keys.get(0), keys.get(1), keys.get(2), replica,
          Long.toString(Math.max(0, want)), Long.toString(Math.max(0, keep)), Long.toString(Math.max(0, budget)),
          ttlMillis, Long.toString(Math.max(0, atLeast))));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // e.g. the client was closed
    }
    return reply.map(r -> new Grant(r.get(0).toLong(), r.get(1).toLong())).toCompletionStage();
  }

  @Override
  public CompletionStage<Long> shareOf(String pool, String pod, String replica) {
    return api.hget(keys(pool, pod).get(0), replica)
        .map(r -> r == null ? 0L : r.toLong()).toCompletionStage();
  }

  @Override
  public CompletionStage<Long> total(String pool, String pod) {
    List<String> keys = keys(pool, pod);
    return api.eval(List.of(TOTAL, "3", keys.get(0), keys.get(1), keys.get(2)))
        .map(Response::toLong).toCompletionStage();
  }

  @Override
  public void close() {
    client.close();
  }
}
