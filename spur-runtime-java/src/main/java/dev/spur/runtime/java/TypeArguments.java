package dev.spur.runtime.java;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The actual type arguments a class gives a generic interface, e.g. {@code [Map<String,Object>,
 * String]} for a handler implementing {@code RequestHandler<Map<String,Object>, String>} directly or
 * through generic superclasses. Unresolvable arguments (raw use, an unbound variable) become
 * {@code Object}, which Jackson reads as maps, lists, strings and numbers.
 */
final class TypeArguments {
    private TypeArguments() {}

    static Type[] of(Class<?> clazz, Class<?> generic) {
        Type[] found = search(clazz, generic, Map.of());
        if (found == null) {
            found = new Type[generic.getTypeParameters().length];
            Arrays.fill(found, Object.class);
        }
        return found;
    }

    private static Type[] search(Type type, Class<?> generic, Map<TypeVariable<?>, Type> outer) {
        Class<?> raw;
        Map<TypeVariable<?>, Type> bindings = Map.of();
        if (type instanceof ParameterizedType parameterized) {
            raw = (Class<?>) parameterized.getRawType();
            TypeVariable<?>[] variables = raw.getTypeParameters();
            Type[] arguments = parameterized.getActualTypeArguments();
            bindings = new HashMap<>();
            for (int i = 0; i < variables.length; i++) {
                bindings.put(variables[i], concrete(arguments[i], outer));
            }
            if (raw == generic) {
                Type[] resolved = new Type[variables.length];
                for (int i = 0; i < variables.length; i++) {
                    resolved[i] = bindings.get(variables[i]);
                }
                return resolved;
            }
        } else if (type instanceof Class<?> c) {
            raw = c;
            if (raw == generic) {
                return null; // implemented raw
            }
        } else {
            return null;
        }
        for (Type parent : raw.getGenericInterfaces()) {
            Type[] found = search(parent, generic, bindings);
            if (found != null) {
                return found;
            }
        }
        Type parent = raw.getGenericSuperclass();
        return parent == null ? null : search(parent, generic, bindings);
    }

    private static Type concrete(Type argument, Map<TypeVariable<?>, Type> outer) {
        if (argument instanceof TypeVariable<?> variable) {
            Type bound = outer.get(variable);
            if (bound != null) {
                return bound;
            }
            Type[] bounds = variable.getBounds();
            return bounds.length > 0 && !(bounds[0] instanceof TypeVariable) ? bounds[0] : Object.class;
        }
        return argument;
    }
}
