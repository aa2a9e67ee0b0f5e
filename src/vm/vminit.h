/* vminit.h: moat-vminit, the pid 1 of a VM's guest.
 *
 * The initramfs (kit.h) holds the static moat binary as /moat-vminit and
 * the kernel starts it (rdinit=/moat-vminit). It mounts /dev, /proc and
 * /sys, loads the modules of the initramfs in the order of their names,
 * opens the virtio-serial port named "moat.ctl" (proto.h) and reads the
 * SPEC frame: the "guest" part of the vm spec (vmm.h). It mounts the
 * virtiofs share "rootfs" (the container's root, prepared on the host) and
 * makes it the root, makes the spec's mounts in it (a tmpfs /dev with the
 * usual devices and a devpts unless the spec mounts its own), sets the
 * hostname and starts the process: cwd, env, rlimits, groups, gid, uid
 * and capabilities as the OCI process says, its stdio pipes or a pty (the
 * spec's terminal). It says READY, relays stdio as frames, delivers the
 * SIGNAL and RESIZE frames, starts EXEC frames' processes on their own
 * channels, reaps every orphan, and when the container's process ends it
 * kills what is left, syncs the filesystems, sends EXIT and powers off. */
#ifndef MOAT_VM_VMINIT_H
#define MOAT_VM_VMINIT_H

/* main() as the guest's init (argv[0] "/moat-vminit"). */
int vminit_main(int argc, char **argv);

#endif
