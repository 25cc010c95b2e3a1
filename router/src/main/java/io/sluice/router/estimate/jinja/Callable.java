package io.sluice.router.estimate.jinja;

import java.util.List;
import java.util.Map;

/** A function a template can call: a global, a bound method of a value, a macro. */
@FunctionalInterface
interface Callable {
  Object call(List<Object> args, Map<String, Object> kwargs);
}
