package distrib

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"grit/policy"
	"grit/tensor"
	"grit/trainers"
	"grit/trainers/configfile"
)

// Policy versions live in the Object Store bucket as one object each, vNNNNNN, a bundle:
//
//	[8-byte little-endian length n][n bytes: manifest JSON][the files' bytes, in manifest order]
//
// The files are those policy.Save writes, plus the init folder's chat-template files when the run
// renders prompts through one; the manifest lists them (name, size) with the run config. One
// object per version is one upload and one download (each Object Store call costs round trips).
// Version v is the learner's policy when it starts the step with 0-based index v. A task of step
// s names the version it samples with: s, or, issued ahead with workers.max_staleness k, an older
// one >= s-k. The Object Store writes an object's chunks before its meta entry, so a worker that
// finds a version reads it whole. The learner uploads versions after the first from memory when
// its weights file is a plain layout of the parameters (weightslayout.go); a worker that holds the
// previous version then loads only the new weights into its policy (worker.go, usePolicy).

// manifest describes one policy version.
type manifest struct {
	Version int          `json:"version"`
	Files   []policyFile `json:"files"`
	Config  string       `json:"config"` // the run config as config.yaml holds it, secrets removed
}

// policyFile is one file of a version and its length in the bundle.
type policyFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// versionDir names version v's object and a worker's cache folder of it.
func versionDir(v int) string { return fmt.Sprintf("v%06d", v) }

// transferTimeout bounds one policy version's upload or download. Without a deadline the client
// gives every Object Store call 5 s, too short for a large model's chunks on a slow disk.
const transferTimeout = 10 * time.Minute

// maxChunk is the largest Object Store chunk a policy file is sent in. Fewer, larger chunks make
// the download several times faster (each chunk is one message through the ordered consumer and
// one copy through the client's pipe); the embedded server's max_payload (8 MiB) admits it.
const maxChunk = 4 << 20

// chunkOptions sends files in the largest chunks the server admits: maxChunk, or half its
// max_payload (a stand-alone server's default 1 MiB gives 512 KiB chunks), leaving room for the
// message's headers.
func chunkOptions(maxPayload int64) *jetstream.ObjectMetaOptions {
	return &jetstream.ObjectMetaOptions{ChunkSize: uint32(max(min(maxChunk, maxPayload/2), 64<<10))}
}

// chatTemplateFiles are the init-folder files a chat template is read from.
var chatTemplateFiles = []string{"tokenizer_config.json", "chat_template.jinja"}

// policyPublisher uploads a run's policy versions. The first is written by pol.Save (rewritten as
// bf16 with workers.weights_dtype bf16) into a temporary folder; the files other than the
// weights, which do not change during a run, are kept in memory, and when the weights file is a
// plain layout of the parameters (weightsLayout) later versions encode it from the parameters
// without touching the disk. Otherwise every version is saved to disk first.
type policyPublisher struct {
	obj     jetstream.ObjectStore
	nc      *nats.Conn // pushes versions that fit in a message (push.go); nil = never
	session string     // the learner's session, in each push and put ("" = none)
	cfg     trainers.Config
	chunks  *jetstream.ObjectMetaOptions
	cfgYAML string
	files   []policyFile // the first version's files, in name order
	kept    map[string][]byte
	layout  *weightsLayout // nil: save every version
}

// nc, when not nil, also pushes each version that fits in one message to the workers (push.go).
func newPolicyPublisher(obj jetstream.ObjectStore, nc *nats.Conn, cfg trainers.Config, chunks *jetstream.ObjectMetaOptions) (*policyPublisher, error) {
	cfgYAML, err := configfile.Dump(withoutSecrets(cfg))
	if err != nil {
		return nil, err
	}
	return &policyPublisher{obj: obj, nc: nc, cfg: cfg, chunks: chunks, cfgYAML: string(cfgYAML)}, nil
}

// publishPolicy stores pol as version v with the run config cfg (a one-off policyPublisher).
// chunks is the Object Store chunk option (chunkOptions).
func publishPolicy(ctx context.Context, obj jetstream.ObjectStore, v int, pol policy.Policy, cfg trainers.Config, chunks *jetstream.ObjectMetaOptions) error {
	p, err := newPolicyPublisher(obj, nil, cfg, chunks)
	if err != nil {
		return err
	}
	return p.publish(ctx, v, pol, nil)
}

// publish uploads pol as version v. beforePut (nil: none) runs after the version is pushed to the
// workers (when it fits in a message) and before the Object Store put: the learner issues the
// tasks that name the version there, so they reach the workers ahead of the put's traffic.
func (p *policyPublisher) publish(ctx context.Context, v int, pol policy.Policy, beforePut func()) error {
	if beforePut != nil { // exactly once, also when the version fails before its put
		beforePut = sync.OnceFunc(beforePut)
		defer beforePut()
	}
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	if p.layout == nil {
		return p.publishSaved(ctx, v, pol, beforePut)
	}
	weights, err := p.layout.reader(pol.Params())
	if err != nil {
		return fmt.Errorf("policy version %d: %w", v, err)
	}
	parts := make([]io.Reader, len(p.files))
	for i, f := range p.files {
		if f.Name == policy.WeightsFile {
			parts[i] = weights
		} else {
			parts[i] = bytes.NewReader(p.kept[f.Name])
		}
	}
	return p.put(ctx, v, p.files, parts, beforePut)
}

// publishSaved saves pol into a temporary folder and uploads the files from there. The first
// time, it keeps the files other than the weights and checks the weights file's layout.
func (p *policyPublisher) publishSaved(ctx context.Context, v int, pol policy.Policy, beforePut func()) error {
	tmp, err := os.MkdirTemp("", "grit-policy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, versionDir(v))
	if err := pol.Save(dir); err != nil {
		return fmt.Errorf("saving policy version %d: %w", v, err)
	}
	if p.cfg.Workers.WeightsDType == trainers.WeightsBF16 {
		if err := rewriteBF16(filepath.Join(dir, policy.WeightsFile), pol.Params()); err != nil {
			return fmt.Errorf("policy version %d as bf16: %w", v, err)
		}
	}
	if p.cfg.ChatTemplate {
		for _, name := range chatTemplateFiles {
			if raw, err := os.ReadFile(filepath.Join(p.cfg.Init, name)); err == nil {
				if _, err := os.Stat(filepath.Join(dir, name)); os.IsNotExist(err) {
					if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
						return err
					}
				}
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var files []policyFile
	var parts []io.Reader
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		files, parts = append(files, policyFile{Name: e.Name(), Size: st.Size()}), append(parts, f)
	}
	if err := p.put(ctx, v, files, parts, beforePut); err != nil {
		return err
	}
	if p.files == nil {
		p.learnLayout(dir, files, pol)
	}
	return nil
}

// learnLayout keeps the saved version's files other than the weights and its weights layout,
// when the weights file is a plain layout of pol's parameters.
func (p *policyPublisher) learnLayout(dir string, files []policyFile, pol policy.Policy) {
	kept := map[string][]byte{}
	hasWeights := false
	for _, f := range files {
		if f.Name == policy.WeightsFile {
			hasWeights = true
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return
		}
		kept[f.Name] = raw
	}
	if !hasWeights {
		return
	}
	layout, err := layoutOfFile(filepath.Join(dir, policy.WeightsFile), pol.Params())
	if err != nil || layout == nil {
		return
	}
	for i := range files {
		if files[i].Name == policy.WeightsFile {
			files[i].Size = layout.size()
		}
	}
	p.files, p.kept, p.layout = files, kept, layout
}

// layoutOfFile is the layout of the weights file at path when the file is exactly that layout
// filled with the parameters' values; nil when it is not.
func layoutOfFile(path string, params []*tensor.Param) (*weightsLayout, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	layout, err := readLayout(f, params)
	if err != nil {
		return nil, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	same, err := layout.matches(f, params)
	if err != nil || !same {
		return nil, err
	}
	return layout, nil
}

// put uploads version v: the manifest of files and then each part, one object. A version that
// fits in one message is pushed to the workers first (push.go) and uploaded from the same bytes.
// beforePut (nil: none) runs between the push and the put.
func (p *policyPublisher) put(ctx context.Context, v int, files []policyFile, parts []io.Reader, beforePut func()) error {
	raw, err := json.Marshal(manifest{Version: v, Files: files, Config: p.cfgYAML})
	if err != nil {
		return err
	}
	head := binary.LittleEndian.AppendUint64(nil, uint64(len(raw)))
	head = append(head, raw...)
	size := int64(len(head))
	for _, f := range files {
		size += f.Size
	}
	// The client allocates one chunk of ChunkSize per upload: no larger than the object.
	chunks := &jetstream.ObjectMetaOptions{ChunkSize: uint32(min(int64(p.chunks.ChunkSize), size))}
	all := io.MultiReader(append([]io.Reader{bytes.NewReader(head)}, parts...)...)
	var body io.Reader = fullReads{all}
	if pushable(p.nc, size) {
		buf, err := readBundle(size, all)
		if err != nil {
			return fmt.Errorf("policy version %d: %w", v, err)
		}
		if err := pushVersion(p.nc, v, p.session, buf); err != nil {
			return err
		}
		body = bytes.NewReader(buf)
	}
	if beforePut != nil {
		beforePut()
	}
	meta := jetstream.ObjectMeta{Name: versionDir(v), Opts: chunks}
	if p.session != "" {
		meta.Metadata = map[string]string{metaSession: p.session}
	}
	info, err := p.obj.Put(ctx, meta, body)
	if err != nil {
		return fmt.Errorf("uploading policy version %d: %w", v, err)
	}
	if int64(info.Size) != size {
		return fmt.Errorf("uploading policy version %d: sent %d bytes, the manifest says %d", v, info.Size, size)
	}
	return nil
}

// fullReads fills every Read's buffer unless the data ends. The Object Store client makes one
// chunk of each Read, and a MultiReader returns one part (and the weights reader one tensor) per
// Read: without it a version of 4 parts went as 4-5 chunks where one fits, each one message more
// for the upload and the download.
type fullReads struct{ r io.Reader }

func (f fullReads) Read(p []byte) (int, error) {
	n, err := io.ReadFull(f.r, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// withoutSecrets is cfg with the workers: section reset to the defaults: a worker needs none of
// it, and the credentials must not travel.
func withoutSecrets(cfg trainers.Config) trainers.Config {
	cfg.Workers = trainers.Defaults().Workers
	return cfg
}

// errNoVersion: the version a task names is no longer (or not yet) in the bucket.
var errNoVersion = errors.New("policy version not in the bucket")

// policyBundle is a downloaded version: its manifest and each file's bytes (slices of one buffer).
type policyBundle struct {
	manifest
	data map[string][]byte
}

// downloadVersion gets version v's object and splits it into its files.
func downloadVersion(ctx context.Context, obj jetstream.ObjectStore, v int) (*policyBundle, error) {
	ctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	buf, err := getObject(ctx, obj, versionDir(v))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("%w: version %d", errNoVersion, v)
	}
	if err != nil {
		return nil, fmt.Errorf("downloading policy version %d: %w", v, err)
	}
	return parseBundle(v, buf)
}

// parseBundle splits version v's object buf into its manifest and files.
func parseBundle(v int, buf []byte) (*policyBundle, error) {
	if len(buf) < 8 || binary.LittleEndian.Uint64(buf) > uint64(len(buf)-8) {
		return nil, fmt.Errorf("policy version %d: object of %d bytes is no policy bundle", v, len(buf))
	}
	n := int(binary.LittleEndian.Uint64(buf))
	b := &policyBundle{data: map[string][]byte{}}
	if err := json.Unmarshal(buf[8:8+n], &b.manifest); err != nil {
		return nil, fmt.Errorf("policy version %d manifest: %w", v, err)
	}
	rest := buf[8+n:]
	for _, f := range b.Files {
		if f.Name == "" || strings.ContainsAny(f.Name, `/\`) || f.Name == "." || f.Name == ".." {
			return nil, fmt.Errorf("policy version %d manifest names a bad file %q", v, f.Name)
		}
		if f.Size < 0 || f.Size > int64(len(rest)) {
			return nil, fmt.Errorf("policy version %d: file %s of %d bytes overruns the bundle", v, f.Name, f.Size)
		}
		b.data[f.Name], rest = rest[:f.Size:f.Size], rest[f.Size:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("policy version %d: %d bytes after the last file", v, len(rest))
	}
	return b, nil
}

// fetchPolicy downloads version v into cacheDir/vNNNNNN and loads it. The returned config has Init
// pointing at that folder (where the chat-template files are); cfgText is the config as the
// learner wrote it (the same for every version of one run).
func fetchPolicy(ctx context.Context, obj jetstream.ObjectStore, v int, cacheDir string) (pol policy.Policy, cfg trainers.Config, cfgText string, err error) {
	b, err := downloadVersion(ctx, obj, v)
	if err != nil {
		return nil, trainers.Config{}, "", err
	}
	return b.load(cacheDir)
}

// load writes the bundle's files into cacheDir/vNNNNNN and loads the policy and the run config.
func (b *policyBundle) load(cacheDir string) (pol policy.Policy, cfg trainers.Config, cfgText string, err error) {
	v := b.Version
	dir := filepath.Join(cacheDir, versionDir(v))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, trainers.Config{}, "", err
	}
	for _, f := range b.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), b.data[f.Name], 0o644); err != nil {
			return nil, trainers.Config{}, "", err
		}
	}
	pol, err = policy.LoadPolicy(dir)
	if err != nil {
		return nil, trainers.Config{}, "", err
	}
	if err := os.WriteFile(filepath.Join(dir, configfile.ResolvedName), []byte(b.Config), 0o644); err != nil {
		return nil, trainers.Config{}, "", err
	}
	cfg, err = configfile.LoadResolved(dir)
	if err != nil {
		return nil, trainers.Config{}, "", fmt.Errorf("policy version %d: run config: %w", v, err)
	}
	cfg.Init = dir
	return pol, cfg, b.Config, nil
}

// pruneVersions deletes every version outside oldest..newest: no task can name another (a task
// of step s names a version >= s - max_staleness).
func pruneVersions(ctx context.Context, obj jetstream.ObjectStore, oldest, newest int) error {
	infos, err := obj.List(ctx)
	if errors.Is(err, jetstream.ErrNoObjectsFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing policy versions: %w", err)
	}
	for _, info := range infos {
		var v int
		if _, err := fmt.Sscanf(info.Name, "v%06d", &v); err == nil && v >= oldest && v <= newest {
			continue
		}
		if err := obj.Delete(ctx, info.Name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("deleting %s from %s: %w", info.Name, policyBucket, err)
		}
	}
	return nil
}

// deleteVersions deletes the given versions' objects.
func deleteVersions(ctx context.Context, obj jetstream.ObjectStore, versions []int) error {
	for _, v := range versions {
		if err := obj.Delete(ctx, versionDir(v)); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("deleting policy version %d from %s: %w", v, policyBucket, err)
		}
	}
	return nil
}

// deleteAllObjects empties the bucket (a new learner starts with no versions).
func deleteAllObjects(ctx context.Context, obj jetstream.ObjectStore) error {
	return pruneVersions(ctx, obj, 0, -1)
}

// getObject downloads one object into a buffer of its size: the client's own GetBytes and GetFile
// copy through 32-64 KiB reads and a growing buffer, several times slower for a policy file. The
// object's SHA-256 digest is still checked (the client does it at end of stream, read below).
func getObject(ctx context.Context, obj jetstream.ObjectStore, name string) ([]byte, error) {
	res, err := obj.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	info, err := res.Info()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, info.Size)
	if _, err := io.ReadFull(res, buf); err != nil {
		return nil, err
	}
	var extra [1]byte
	switch n, err := res.Read(extra[:]); {
	case n > 0:
		return nil, fmt.Errorf("object %s is longer than its %d bytes", name, info.Size)
	case err == io.EOF:
		return buf, nil
	case err == nil:
		return nil, fmt.Errorf("object %s: no end of stream after %d bytes", name, info.Size)
	default:
		return nil, err // jetstream.ErrDigestMismatch among others
	}
}
