package dev.spur.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.introspect.Annotated;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Rendered manifests read into the Kubernetes API's own types (fabric8's kubernetes-model), strictly:
 * an apiVersion/kind pair the API does not serve, a field the API does not have at that place, or a
 * value of the wrong type fails, naming the object and the path. The model's types keep unknown
 * fields in a catch-all map ({@code @JsonAnySetter}); that is switched off here, so they fail instead.
 */
final class KubernetesObjects {
    /** The kinds Spur's manifests may use, by {@code apiVersion/kind}. */
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/Service", Service.class,
            "v1/Secret", Secret.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class);

    private static final ObjectMapper STRICT = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .annotationIntrospector(new NoCatchAll())
            .build();

    private final List<HasMetadata> objects;

    private KubernetesObjects(List<HasMetadata> objects) {
        this.objects = objects;
    }

    /**
     * @throws IllegalArgumentException naming the document, kind and field that the API would refuse
     */
    static KubernetesObjects read(String yaml) {
        List<HasMetadata> read = new ArrayList<>();
        int index = 0;
        MappingIterator<JsonNode> docs = STRICT.readerFor(JsonNode.class).readValues(yaml);
        for (JsonNode doc : docs.readAll()) {
            index++;
            if (doc == null || doc.isNull() || doc.isEmpty()) {
                continue;
            }
            String key =
                    doc.path("apiVersion").asString("") + "/" + doc.path("kind").asString("");
            Class<? extends HasMetadata> type = TYPES.get(key);
            String name = doc.path("metadata").path("name").asString("?");
            if (type == null) {
                throw new IllegalArgumentException(
                        "document " + index + " (" + name + "): no Kubernetes type for apiVersion/kind " + key);
            }
            try {
                read.add(STRICT.treeToValue(doc, type));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "document " + index + " (" + key + " " + name + ") does not match the Kubernetes API: "
                                + e.getMessage(),
                        e);
            }
        }
        return new KubernetesObjects(read);
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream()
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst();
    }

    <T extends HasMetadata> T only(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.getFirst();
    }

    /** The model's catch-all for unknown fields, switched off: an unknown field is then an error. */
    private static final class NoCatchAll extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean hasAnySetter(MapperConfig<?> config, Annotated a) {
            return Boolean.FALSE;
        }
    }
}
