/// A memo with a bound: past `capacity` entries it forgets everything and starts again (the
/// caches of an open index are of things that do not change under the handle, so forgetting
/// costs time, never correctness). One type for every cache of the search side.
public struct BoundedCache<Key: Hashable, Value> {
    private var storage: [Key: Value] = [:]
    public let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    public var count: Int { storage.count }

    public subscript(key: Key) -> Value? { storage[key] }

    /// The value for `key`, made and remembered when missing.
    public mutating func value<E: Error>(for key: Key, orMake make: () throws(E) -> Value) throws(E) -> Value {
        if let cached = storage[key] { return cached }
        let value = try make()
        insert(value, for: key)
        return value
    }

    public mutating func insert(_ value: Value, for key: Key) {
        if storage.count >= capacity { storage.removeAll(keepingCapacity: true) }
        storage[key] = value
    }

    public mutating func removeAll() { storage.removeAll() }
}
