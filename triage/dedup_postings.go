package triage

import "slices"

// The postings are the inverted index from shingle hashes to the
// fingerprints that hold them, one per incident at most, so that the length
// of a list is the number of incidents that hold its shingle. Most shingles
// are in one incident only: their posting is the slot itself, with no list.

// postingEntries are the fingerprints a posting value lists, each as
// incident<<32 | slot.
func (x *DupIndex) postingEntries(v uint32) []uint64 {
	switch {
	case v == 0:
		return nil
	case v&dupListTag == 0:
		x.one[0] = uint64(x.slots[v-1].inc)<<32 | uint64(v-1)
		return x.one[:]
	}
	return x.lists[v&^dupListTag].entries
}

// postingDF is the number of incidents that hold a shingle.
func (x *DupIndex) postingDF(v uint32) int {
	switch {
	case v == 0:
		return 0
	case v&dupListTag == 0:
		return 1
	}
	l := &x.lists[v&^dupListTag]
	return len(l.entries) + int(l.overflow)
}

// postingAccepts reports whether a fingerprint of incident ii would be
// listed under a shingle with posting value v.
func (x *DupIndex) postingAccepts(v, ii uint32) bool {
	switch {
	case v == 0:
		return true
	case v&dupListTag == 0:
		return x.slots[v-1].inc != ii
	}
	l := &x.lists[v&^dupListTag]
	return len(l.entries) < x.opts.PostingCap && !dupListHas(l.entries, ii)
}

func dupListHas(entries []uint64, ii uint32) bool {
	for _, e := range entries {
		if uint32(e>>32) == ii {
			return true
		}
	}
	return false
}

func (x *DupIndex) postingAdd(h, v, s, ii uint32) {
	switch {
	case v == 0:
		x.postings[h] = s + 1
	case v&dupListTag == 0:
		other := x.slots[v-1].inc
		if other == ii {
			return
		}
		var li uint32
		if n := len(x.freeLists); n > 0 {
			li = x.freeLists[n-1]
			x.freeLists = x.freeLists[:n-1]
		} else {
			li = uint32(len(x.lists))
			x.lists = append(x.lists, dupPosting{})
		}
		l := &x.lists[li]
		l.entries = append(l.entries[:0], uint64(other)<<32|uint64(v-1), uint64(ii)<<32|uint64(s))
		l.overflow = 0
		x.postings[h] = dupListTag | li
	default:
		l := &x.lists[v&^dupListTag]
		switch {
		case dupListHas(l.entries, ii):
		case len(l.entries) < x.opts.PostingCap:
			l.entries = append(l.entries, uint64(ii)<<32|uint64(s))
		default:
			l.overflow++
		}
	}
}

func (x *DupIndex) postingRemove(h, s uint32) {
	v := x.postings[h]
	switch {
	case v == 0:
	case v&dupListTag == 0:
		if v-1 == s {
			delete(x.postings, h)
		}
	default:
		li := v &^ dupListTag
		l := &x.lists[li]
		i := slices.IndexFunc(l.entries, func(e uint64) bool { return uint32(e) == s })
		if i < 0 {
			return
		}
		l.entries = slices.Delete(l.entries, i, i+1)
		switch {
		case len(l.entries) == 0:
			delete(x.postings, h)
		case len(l.entries) == 1 && l.overflow == 0:
			x.postings[h] = uint32(l.entries[0]) + 1
		default:
			return
		}
		l.entries, l.overflow = l.entries[:0], 0
		x.freeLists = append(x.freeLists, li)
	}
}
