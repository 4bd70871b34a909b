package dev.spur.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The seccomp filter every sandboxed environment runs under (bubblewrap loads it, after
 * {@code no_new_privs}): a classic BPF program that refuses the system calls a function has no use
 * for and that widen the kernel's attack surface — BPF, perf events, userfaultfd, io_uring, the
 * kernel keyring, module and kexec loading, file handles that bypass the mount namespace, new
 * mount APIs, swap, reboot, the kernel log, accounting — and the whole x32 ABI, through which a
 * number could otherwise be reached under another name. Everything else is allowed: the namespaces,
 * the unprivileged uid and the dropped capabilities are the first line; this narrows what is left.
 *
 * <p>Refused calls fail with {@code EPERM}, io_uring's with {@code ENOSYS} so that libraries which
 * probe for it (libuv) fall back as on a kernel without it. A process of another architecture is
 * killed. Built for x86-64 only; elsewhere {@link #program()} is empty and no filter is loaded.
 */
final class Seccomp {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int X32_SYSCALL_BIT = 0x40000000;
    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short RET_K = 0x06;
    private static final int RET_KILL_PROCESS = 0x80000000;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;

    /** x86-64 numbers refused with EPERM. */
    static final List<Integer> REFUSED = List.of(
            321, // bpf
            298, // perf_event_open
            323, // userfaultfd
            250, 248, 249, // keyctl, add_key, request_key
            246, 320, // kexec_load, kexec_file_load
            175, 313, 176, // init_module, finit_module, delete_module
            304, 303, // open_by_handle_at, name_to_handle_at
            165, 166, 155, // mount, umount2, pivot_root
            428, 429, 430, 431, 432, 433,
            442, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr
            167, 168, 169, // swapon, swapoff, reboot
            103, 163, // syslog, acct
            212, 179, 134, 136, 139, // lookup_dcookie, quotactl, uselib, ustat, sysfs
            172, 173); // iopl, ioperm
    /** x86-64 numbers refused with ENOSYS: io_uring_setup, io_uring_enter, io_uring_register. */
    static final List<Integer> ABSENT = List.of(425, 426, 427);

    private Seccomp() {}

    /** The program as bubblewrap's {@code --seccomp} reads it (an array of {@code struct sock_filter}). */
    static Optional<byte[]> program() {
        String arch = System.getProperty("os.arch");
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return Optional.empty();
        }
        int n = REFUSED.size() + ABSENT.size();
        ByteBuffer b = ByteBuffer.allocate((n + 8) * 8).order(ByteOrder.nativeOrder());
        // 0-2: another architecture's calls are numbered differently: kill rather than misjudge them
        statement(b, LD_W_ABS, 4); // seccomp_data.arch
        jump(b, JEQ_K, AUDIT_ARCH_X86_64, 1, 0);
        statement(b, RET_K, RET_KILL_PROCESS);
        // 3-4: the x32 ABI as a whole
        statement(b, LD_W_ABS, 0); // seccomp_data.nr
        jump(b, JGE_K, X32_SYSCALL_BIT, n + 1, 0);
        // then one comparison each, jumping forward to the EPERM (or ENOSYS) return
        for (int i = 0; i < REFUSED.size(); i++) {
            jump(b, JEQ_K, REFUSED.get(i), n - i, 0);
        }
        for (int i = 0; i < ABSENT.size(); i++) {
            jump(b, JEQ_K, ABSENT.get(i), ABSENT.size() - i + 1, 0);
        }
        statement(b, RET_K, RET_ALLOW);
        statement(b, RET_K, RET_ERRNO | EPERM);
        statement(b, RET_K, RET_ERRNO | ENOSYS);
        return Optional.of(Arrays.copyOf(b.array(), b.position()));
    }

    private static void statement(ByteBuffer b, short code, int k) {
        jump(b, code, k, 0, 0);
    }

    private static void jump(ByteBuffer b, short code, int k, int whenTrue, int whenFalse) {
        if (whenTrue > 255 || whenFalse > 255) {
            throw new IllegalStateException("a seccomp jump is longer than 255 instructions");
        }
        b.putShort(code).put((byte) whenTrue).put((byte) whenFalse).putInt(k);
    }
}
