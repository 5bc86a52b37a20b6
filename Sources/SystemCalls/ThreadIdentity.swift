import Glibc

/// Which OS thread this is: pthread_self(2), compared with pthread_equal(3).
///
/// For executors and servers that must tell whether they are running on their own thread.
public struct ThreadIdentity: @unchecked Sendable, Equatable {
    private let id: pthread_t

    /// The calling thread.
    public static var current: ThreadIdentity { ThreadIdentity(id: pthread_self()) }

    public static func == (lhs: ThreadIdentity, rhs: ThreadIdentity) -> Bool {
        pthread_equal(lhs.id, rhs.id) != 0
    }
}
