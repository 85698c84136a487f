package experiments

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// Merge combines the output directories of an experiment's shards (or of
// any runs of the same experiment) into the directory out, which may be
// one of them, and writes the report there. The result is byte-identical
// to the directory a single Run of the whole experiment writes.
//
// Every directory must hold the same experiment: Merge compares their
// manifests, fingerprint first, and refuses to mix experiments. Each run
// is taken from the first directory that has a record matching the
// experiment; two directories holding different records of the same run
// (which a deterministic engine never produces) are an error, as are runs
// no directory has.
func Merge(out string, dirs ...string) (*Report, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("experiments: merge: no shard directories given")
	}
	var m *manifest
	var mdata []byte
	for i, d := range dirs {
		mi, data, err := readManifest(d)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			m, mdata = mi, data
			continue
		}
		if mi.Fingerprint != m.Fingerprint {
			return nil, fmt.Errorf("experiments: merge: %s and %s hold different experiments (%q, fingerprint %.12s, and %q, fingerprint %.12s); shards must come from the same experiment file and base scenario",
				dirs[0], d, m.Name, m.Fingerprint, mi.Name, mi.Fingerprint)
		}
		if !bytes.Equal(data, mdata) {
			return nil, fmt.Errorf("experiments: merge: %s and %s hold the same experiment built from different inputs (their networks or base files differ)", dirs[0], d)
		}
	}

	var arms []string
	for _, a := range m.Arms {
		arms = append(arms, a.Name)
	}
	if err := cleanTemps(out, arms); err != nil {
		return nil, err
	}
	files := map[string][]byte{manifestFile: mdata}
	src, err := os.ReadFile(filepath.Join(dirs[0], experimentFile))
	if err != nil {
		return nil, fmt.Errorf("experiments: merge: %w", err)
	}
	files[experimentFile] = src
	for _, a := range m.Arms {
		name := filepath.Join(networksDir, a.Network+".json")
		if _, ok := files[name]; ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dirs[0], name))
		if err != nil {
			return nil, fmt.Errorf("experiments: merge: %w", err)
		}
		files[name] = data
	}

	var missing []string
	for _, a := range m.Arms {
		for rep := range m.Replications {
			var found []byte
			from := ""
			for _, d := range dirs {
				p := recordPath(d, a.Name, rep)
				rec, ok := readRecord(p)
				if !ok || !a.matches(rec, rep) {
					continue
				}
				data, err := os.ReadFile(p)
				if err != nil {
					continue
				}
				if found == nil {
					found, from = data, d
				} else if !bytes.Equal(found, data) {
					return nil, fmt.Errorf("experiments: merge: arm %q, replication %d differs between %s and %s: the shards ran different builds of the engine?",
						a.Name, rep, from, d)
				}
			}
			if found == nil {
				missing = append(missing, fmt.Sprintf("%s/%d", a.Name, rep))
				continue
			}
			rel, _ := filepath.Rel(out, recordPath(out, a.Name, rep))
			files[rel] = found
		}
	}
	if n := len(missing); n > 0 {
		return nil, fmt.Errorf("experiments: merge: %d runs are in none of the directories (arm/replication: %s); did every shard finish?",
			n, someOf(missing, 10))
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !filepath.IsLocal(name) { // checkNames rules this out; never write outside out
			return nil, fmt.Errorf("experiments: merge: %q would be outside %s", name, out)
		}
		p := filepath.Join(out, name)
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err := writeFileAtomic(p, files[name]); err != nil {
			return nil, fmt.Errorf("experiments: merge: %w", err)
		}
	}
	return WriteReport(out)
}
