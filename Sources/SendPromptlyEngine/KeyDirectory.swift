import Atomics
import SendPromptlyCore
import Synchronization

/// Maps the hash of every API key ever issued to its project, so that a request finds the
/// shard that owns its project without asking every shard.
///
/// Reads (one per request) take no lock: they load an immutable table through an atomic
/// reference. Writes (a key created, a project recovered) are rare; they copy the table and
/// publish the copy. Revocation is not recorded here: the owning shard checks it.
public final class KeyDirectory: Sendable {
    private final class Table: AtomicReference, Sendable {
        let projects: [SecretHash: ProjectID]
        init(_ projects: [SecretHash: ProjectID]) { self.projects = projects }
    }

    private let table = ManagedAtomic(Table([:]))
    private let writers = Mutex(())

    public init() {}

    public func project(forKeyHash hash: SecretHash) -> ProjectID? {
        table.load(ordering: .acquiring).projects[hash]
    }

    public func register(_ hash: SecretHash, project: ProjectID) {
        writers.withLock { _ in
            var projects = table.load(ordering: .relaxed).projects
            projects[hash] = project
            table.store(Table(projects), ordering: .releasing)
        }
    }
}
