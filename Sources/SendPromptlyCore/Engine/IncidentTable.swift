/// A project's incidents by id.
///
/// Each incident sits in a box of its own, so that the table's entries are two words. A table
/// that grows doubles its buckets and moves every entry; with incidents inline (about 170
/// bytes each) that move held a shard for half a second once 786k incidents had opened
/// (`deadline-ticks` in EngineBenchmarks, 10⁴ timeouts a second), long enough to open the
/// incidents due meanwhile late. Boxed, it moves 24-byte entries.
///
/// Owned by one ``ProjectState`` and never copied: copies would share the boxes.
struct IncidentTable {
    private final class Box {
        var incident: Incident

        init(_ incident: Incident) {
            self.incident = incident
        }
    }

    private var boxes: [IncidentID: Box] = [:]

    var count: Int { boxes.count }

    var values: some Collection<Incident> {
        boxes.values.lazy.map(\.incident)
    }

    /// The incident `id`; setting nil removes it.
    subscript(id: IncidentID) -> Incident? {
        get { boxes[id]?.incident }
        set {
            if let newValue {
                if let box = boxes[id] { box.incident = newValue } else { boxes[id] = Box(newValue) }
            } else {
                boxes[id] = nil
            }
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: IncidentID) -> Incident? {
        boxes.removeValue(forKey: id)?.incident
    }
}
