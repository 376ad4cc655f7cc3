/// Reads the members of a request's JSON object with the wire contract's rules, naming the
/// member at fault in every ``EngineError/validation(field:message:)``. A member that is
/// `null` counts as absent.
struct FieldReader {
    let members: [(String, JSON)]

    /// Parses `body` as a JSON object of at most ``IngestLimits/maximumFields`` members.
    init(body: some Collection<UInt8>) throws(EngineError) {
        let document: JSON
        do {
            document = try JSON.parse(body)
        } catch {
            throw .invalidJSON("the body is not valid JSON (at byte \(error.offset))")
        }
        guard case .object(let members) = document else {
            throw .invalidJSON("the body must be a JSON object")
        }
        guard members.count <= IngestLimits.maximumFields else {
            throw .tooManyFields(members.count)
        }
        self.members = members
    }

    func value(_ name: String) -> JSON? {
        guard let member = members.first(where: { $0.0 == name }), member.1 != .null else { return nil }
        return member.1
    }

    func has(_ name: String) -> Bool { value(name) != nil }

    func string(_ name: String, required: Bool = false, maxLength: Int) throws(EngineError) -> String? {
        guard let value = value(name) else {
            if required { throw .validation(field: name, message: "\(name) is required") }
            return nil
        }
        guard case .string(let text) = value else {
            throw .validation(field: name, message: "\(name) must be a string")
        }
        let length = text.unicodeScalars.count
        guard length <= maxLength else {
            throw .validation(field: name, message: "\(name) must be at most \(maxLength) characters")
        }
        guard length >= 1 else {
            throw .validation(field: name, message: "\(name) must not be empty")
        }
        return text
    }

    func integer(_ name: String, in range: ClosedRange<Int64>) throws(EngineError) -> Int64? {
        guard let value = value(name) else { return nil }
        let number: Int64
        switch value {
        case .integer(let integer):
            number = integer
        case .number(let double) where double.rounded() == double && abs(double) < 1e15:
            number = Int64(double)
        default:
            throw .validation(field: name, message: "\(name) must be an integer")
        }
        guard range.contains(number) else {
            throw .validation(field: name, message: "\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, of type: Choice.Type, required: Bool = false
    ) throws(EngineError) -> Choice? where Choice.RawValue == String {
        // Spelled only for an error: joining the names cost more than the rest of the check.
        func allowed() -> String { Choice.allCases.map(\.rawValue).joined(separator: ", ") }
        guard let value = value(name) else {
            if required { throw .validation(field: name, message: "\(name) is required (one of \(allowed()))") }
            return nil
        }
        guard case .string(let text) = value, let choice = Choice(rawValue: text) else {
            throw .validation(field: name, message: "\(name) must be one of \(allowed())")
        }
        return choice
    }

    func timestamp(_ name: String) throws(EngineError) -> Timestamp? {
        guard let text = try string(name, maxLength: 64) else { return nil }
        guard let timestamp = RFC3339.parse(text) else {
            throw .validation(field: name, message: "\(name) must be an RFC 3339 date-time")
        }
        return timestamp
    }

    func strings(_ name: String, maxCount: Int, maxLength: Int) throws(EngineError) -> [String]? {
        guard let value = value(name) else { return nil }
        guard case .array(let elements) = value, elements.count <= maxCount else {
            throw .validation(field: name, message: "\(name) must be an array of at most \(maxCount) strings")
        }
        var result: [String] = []
        for element in elements {
            guard case .string(let text) = element, !text.isEmpty, text.unicodeScalars.count <= maxLength else {
                throw .validation(field: name, message: "\(name) must hold strings of 1 to \(maxLength) characters")
            }
            result.append(text)
        }
        return result
    }
}
