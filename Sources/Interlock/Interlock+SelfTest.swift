extension Interlock {
    /// SR-18: the self-test passes only if every check passed and every required item
    /// (``SelfTestCheck/requiredItems(for:)``) was checked. A failure raises SR-18 and
    /// puts the machine in fault: treatment cannot start.
    mutating func evaluateSelfTest(_ checks: [SelfTestCheck], notes: inout [InterlockAction]) {
        guard state.phase == .selfTest else {
            notes.append(.eventIgnored(.selfTestResultOutsideSelfTest))
            return
        }
        var failures = checks.filter { !$0.passed }.map(\.description)
        let passedItems = Set(checks.filter(\.passed).map(\.item))
        for item in SelfTestCheck.requiredItems(for: configuration) where !passedItems.contains(item) {
            if !checks.contains(where: { $0.item == item }) { failures.append("\(item): not checked") }
        }
        notes.append(.selfTestEvaluated(passed: failures.isEmpty, failures: failures))
        if failures.isEmpty {
            state.selfTestPassed = true
        } else {
            raiseDirectly(.selfTestFailed, detail: failures.joined(separator: "; "), notes: &notes)
            enterFault()
        }
    }
}
