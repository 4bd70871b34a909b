package dev.spur.store;

import dev.spur.common.Arns;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.store.FunctionStore.StoredFunction;
import java.util.List;
import java.util.Optional;

/** Assembling a {@link StoredFunction} from its version rows, the same for every store. */
final class StoredFunctions {
    private StoredFunctions() {}

    /** {@code versions}: {@code $LATEST} first, then published ones in order; empty if there is no {@code $LATEST}. */
    static Optional<StoredFunction> of(List<FunctionConfig> versions, FunctionAttachments attachments) {
        if (versions.isEmpty() || !versions.getFirst().version().equals(Arns.LATEST)) {
            return Optional.empty();
        }
        return Optional.of(new StoredFunction(versions.getFirst(), versions.subList(1, versions.size()), attachments));
    }
}
