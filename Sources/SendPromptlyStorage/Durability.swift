/// When an acknowledged signal is safe, the trade-off `--durability` chooses.
public enum Durability: String, Sendable, CaseIterable {
    /// Answer only after the record is written and `fsync`ed. Nothing acknowledged is lost, even
    /// on power loss. Concurrent requests share one `fsync` (group commit).
    case fsync
    /// Answer at once; records are written continuously and `fsync`ed at most every batch
    /// interval. A crash of the process loses nothing written; power loss can lose up to one
    /// interval of acknowledged records.
    case batch
    /// Answer at once; records are written but never `fsync`ed. A crash of the process can lose
    /// the records not yet handed to the kernel; power loss can lose whatever the kernel had
    /// not flushed.
    case none
}
