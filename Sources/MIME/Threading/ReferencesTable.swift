import IMAPWire

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The containers of the REFERENCES algorithm (RFC 5256 §3, steps 1–6), kept in an array and
/// linked by index so that no cycle can leak or overflow the stack.
/// - SeeAlso: [RFC 5256 §3](https://www.rfc-editor.org/rfc/rfc5256#section-3)
struct ReferencesTable {
    struct Container {
        var message: ThreadInput?
        var parent: Int?
        var children: [Int] = []
    }

    var containers: [Container] = []
    var byID: [String: Int] = [:]
    var uniqueCounter = 0

    mutating func container(for id: String) -> Int {
        if let c = byID[id] { return c }
        containers.append(Container())
        byID[id] = containers.count - 1
        return containers.count - 1
    }

    /// Whether `a` is `b` or one of `b`'s ancestors (so linking b → a would loop). Searched
    /// downwards from `a`: a container being linked is usually new and childless, which keeps
    /// a long reply chain linear where walking up from `b` would be quadratic.
    func isAncestor(_ a: Int, of b: Int) -> Bool {
        var stack = [a]
        var seen = 0
        while let c = stack.popLast(), seen <= containers.count {
            if c == b { return true }
            seen += 1
            stack += containers[c].children
        }
        return false
    }

    mutating func unlink(_ child: Int) {
        guard let p = containers[child].parent else { return }
        containers[p].children.removeAll { $0 == child }
        containers[child].parent = nil
    }

    mutating func link(parent: Int, child: Int) {
        containers[child].parent = parent
        containers[parent].children.append(child)
    }

    // Step 1: the message's container, and the chain of its references.
    mutating func add(_ m: ThreadInput) {
        // (A) A message without an id, or with an id already taken, gets a unique one.
        var me: Int
        if let id = m.messageID, let existing = byID[id], containers[existing].message == nil {
            me = existing
        } else if let id = m.messageID, byID[id] == nil {
            me = container(for: id)
        } else {
            containers.append(Container())
            me = containers.count - 1
        }
        containers[me].message = m
        // (B) Link the references in order, each the parent of the next, unless linked already.
        var refs = m.references
        if refs.isEmpty, let irt = m.inReplyTo { refs = [irt] }
        var previous: Int? = nil
        for ref in refs {
            let c = container(for: ref)
            if let p = previous, containers[c].parent == nil, !isAncestor(c, of: p), c != p {
                link(parent: p, child: c)
            }
            previous = c
        }
        // (C) The last reference is the message's parent (replacing any earlier guess).
        unlink(me)
        if let p = previous, p != me, !isAncestor(me, of: p) {
            link(parent: p, child: me)
        }
    }

    /// The sent date a container sorts by: its message's, or its first child's (in order).
    func date(_ c: Int) -> (Date, UInt32) {
        if let m = containers[c].message { return (m.sentDate, m.id) }
        let kids = sortedChildren(containers[c].children)
        guard let first = kids.first else { return (Date.distantFuture, UInt32.max) }
        return date(first)
    }

    func sortedChildren(_ list: [Int]) -> [Int] {
        list.map { ($0, date($0)) }.sorted { a, b in a.1.0 != b.1.0 ? a.1.0 < b.1.0 : a.1.1 < b.1.1 }.map(\.0)
    }

    /// Step 3: drop empty dummies and splice a dummy's children into its place, except at the
    /// top where a dummy with several children stays. Iterative: children are pruned before
    /// their parents, so a long reply chain cannot exhaust the stack.
    mutating func prune(_ roots: [Int]) -> [Int] {
        var order: [Int] = []
        var stack = roots
        var visited = Set<Int>()
        while let c = stack.popLast() {
            guard visited.insert(c).inserted else { continue }
            order.append(c)
            stack += containers[c].children
        }
        for c in order.reversed() {
            var kids: [Int] = []
            for k in containers[c].children {
                if containers[k].message != nil {
                    kids.append(k)
                } else {
                    kids += containers[k].children
                }
            }
            containers[c].children = kids
            for k in kids { containers[k].parent = c }
        }
        var out: [Int] = []
        for c in roots {
            let kids = containers[c].children
            if containers[c].message != nil || kids.count > 1 {
                out.append(c)
            } else if let only = kids.first {
                containers[only].parent = nil
                out.append(only)
            }
        }
        return out
    }

    mutating func threads() -> [ThreadNode] {
        // Step 2: the root set.
        let roots = containers.indices.filter { containers[$0].parent == nil }
        // Step 3, then step 4: sort the root set by date.
        var rootSet = sortedChildren(prune(roots))

        // Step 5: gather roots that share a base subject.
        func subject(_ c: Int) -> (key: [UInt8], reply: Bool)? {
            let m =
                containers[c].message ?? sortedChildren(containers[c].children).first.flatMap { containers[$0].message }
            guard let m, !m.baseSubject.isEmpty else { return nil }
            return (SearchText.fold(m.baseSubject.utf8), m.isReplyOrForward)
        }
        var bySubject: [[UInt8]: Int] = [:]
        for c in rootSet {
            guard let s = subject(c) else { continue }
            guard let t = bySubject[s.key] else {
                bySubject[s.key] = c
                continue
            }
            let tDummy = containers[t].message == nil
            let cDummy = containers[c].message == nil
            let tReply = subject(t)?.reply ?? false
            if (cDummy && !tDummy) || (!cDummy && !tDummy && tReply && !s.reply) { bySubject[s.key] = c }
        }
        var removed = Set<Int>()
        for c in rootSet {
            guard let s = subject(c), let t = bySubject[s.key], t != c else { continue }
            let tDummy = containers[t].message == nil
            let cDummy = containers[c].message == nil
            let tReply = subject(t)?.reply ?? false
            if tDummy && cDummy {
                for k in containers[c].children { link(parent: t, child: k) }
                containers[c].children = []
            } else if tDummy && !cDummy {
                link(parent: t, child: c)
            } else if !tDummy && s.reply && !tReply {
                link(parent: t, child: c)
            } else {
                containers.append(Container())
                let dummy = containers.count - 1
                if let i = rootSet.firstIndex(of: t) { rootSet[i] = dummy }
                link(parent: dummy, child: t)
                link(parent: dummy, child: c)
                bySubject[s.key] = dummy
            }
            removed.insert(c)
        }
        rootSet.removeAll { removed.contains($0) }
        // Step 6: sort siblings at every level; then write the tree.
        return sortedChildren(rootSet).map { node($0) }
    }

    /// Sub-threads nested deeper than this are written as one flat chain, so that a hostile
    /// mailbox cannot exhaust the stack here or in the encoder.
    static let maxNesting = 256

    /// A container as a `ThreadNode`: its single-child chain, then its sub-threads.
    func node(_ start: Int, depth: Int = 0) -> ThreadNode {
        if depth >= Self.maxNesting { return ThreadNode(flatten(start)) }
        var messages: [UInt32] = []
        var c = start
        var steps = 0
        while steps <= containers.count {
            steps += 1
            if let m = containers[c].message { messages.append(m.id) }
            let kids = sortedChildren(containers[c].children)
            if kids.count == 1 {
                c = kids[0]
                continue
            }
            return ThreadNode(messages, children: kids.map { node($0, depth: depth + 1) })
        }
        return ThreadNode(messages)
    }

    /// Every message under `start`, depth first, in date order.
    func flatten(_ start: Int) -> [UInt32] {
        var out: [UInt32] = []
        var stack = [start]
        while let c = stack.popLast(), out.count <= containers.count {
            if let m = containers[c].message { out.append(m.id) }
            stack += sortedChildren(containers[c].children).reversed()
        }
        return out
    }
}
