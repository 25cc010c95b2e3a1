package io.sluice.router.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each key and list item of a multi-document YAML text stands, so that problems found after
 * binding (a bad URL, a duplicate name) can still name a line. Keys are JSON pointers per document.
 */
final class LocationIndex {
  private final Map<String, JsonLocation> locations = new HashMap<>();

  /** An index of nothing: for documents that were never text (a cluster resource's maps). */
  static LocationIndex none() {
    return new LocationIndex();
  }

  static LocationIndex of(YAMLFactory factory, String yaml) throws IOException {
    LocationIndex index = new LocationIndex();
    try (JsonParser parser = factory.createParser(yaml)) {
      int document = -1;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        JsonStreamContext context = parser.getParsingContext();
        JsonStreamContext owner = token.isStructStart() ? context.getParent() : context;
        if (owner.inRoot() && (token.isStructStart() || token.isScalarValue())) {
          document++;
        }
        if (token == JsonToken.FIELD_NAME || token.isStructStart() || token.isScalarValue()) {
          index.locations.putIfAbsent(
              document + owner.pathAsPointer().toString(), parser.currentTokenLocation());
        }
      }
    }
    return index;
  }

  /** The location of the value at {@code pointer} in document {@code document}, or of its nearest parent. */
  JsonLocation find(int document, String pointer) {
    String current = pointer;
    while (true) {
      JsonLocation location = locations.get(document + current);
      if (location != null || current.isEmpty()) {
        return location;
      }
      current = current.substring(0, Math.max(0, current.lastIndexOf('/')));
    }
  }

  /** {@code /spec/endpoints/1} as {@code spec.endpoints[1]}. */
  static String display(String pointer) {
    StringBuilder out = new StringBuilder();
    for (String part : pointer.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        out.append('[').append(name).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(name);
      }
    }
    return out.toString();
  }
}
