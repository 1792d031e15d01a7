package io.zygotehost.ipc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What a file looked like when its bytes were hashed: a file replaced in place, even by a copy that
 * keeps its size and modification time ({@code cp -p}, {@code rsync -t}), gets a new inode or a
 * new change time, which nobody can set back. Cheap enough to compare before every spawn.
 */
public record FileStamp(Path path, long device, long inode, long size, long modifiedNanos, long changedNanos) {

    public static FileStamp of(Path path) throws IOException {
        Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,ctime");
        return new FileStamp(path, ((Number) unix.get("dev")).longValue(), ((Number) unix.get("ino")).longValue(),
                ((Number) unix.get("size")).longValue(), nanos(unix.get("lastModifiedTime")), nanos(unix.get("ctime")));
    }

    /** True while the file is the one stamped; false when it changed, moved away or cannot be read. */
    public boolean unchanged() {
        try {
            return equals(of(path));
        } catch (IOException e) {
            return false;
        }
    }

    private static long nanos(Object time) {
        return ((FileTime) time).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
