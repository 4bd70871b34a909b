package dev.spur.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * Who the route's authorizer says the caller is, as the integration's event carries it in
 * {@code requestContext.authorizer}.
 */
public sealed interface ApiAuthorizer {

    /** The route has no authorizer ({@code NONE}). */
    static ApiAuthorizer none() {
        return None.INSTANCE;
    }

    /** No authorizer ran. */
    enum None implements ApiAuthorizer {
        INSTANCE
    }

    /**
     * A JWT authorizer accepted the token.
     *
     * @param claims the token's payload, a JSON object
     * @param scopes from the {@code scope} string or {@code scp} array; empty when the token has neither
     */
    record Jwt(JsonNode claims, List<String> scopes) implements ApiAuthorizer {
        public Jwt {
            if (!claims.isObject()) {
                throw new IllegalArgumentException("claims must be a JSON object");
            }
            claims = claims.deepCopy();
            scopes = List.copyOf(scopes);
        }

        public static Jwt of(VerifiedJwt token) {
            return new Jwt(token.claims(), token.scopes());
        }
    }

    /**
     * A Lambda authorizer allowed the request.
     *
     * @param context the {@code context} object of its answer, {@code {}} when it had none
     */
    record Lambda(ObjectNode context) implements ApiAuthorizer {
        public Lambda {
            context = context.deepCopy();
        }
    }

    /** The request was signed with SigV4 ({@code AWS_IAM}). */
    record Iam(IamAuthorizer caller) implements ApiAuthorizer {
        public Iam {
            Objects.requireNonNull(caller, "caller");
        }
    }
}
