package tensor

import (
	"math"

	"github.com/viterin/vek/vek32"
)

// LogSumExp returns log(sum_j exp(x_j)), computed as max + log(sum exp(x - max)) with a float64 sum.
// The training losses and a sampler that calls it get bit-identical log-probabilities.
func LogSumExp(x []float32) float32 {
	if len(x) == 0 {
		return float32(math.Inf(-1))
	}
	m := vek32.Max(x)
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v - m))
	}
	return m + float32(math.Log(s))
}

// Softmax replaces x by softmax(x) in place (the kernel CausalSelfAttention uses).
func Softmax(x []float32) {
	if len(x) > 0 {
		softmaxInPlace(x)
	}
}

// LogSoftmaxGather returns, for logits [N, V] and one target per row,
//
//	logp[i]    = log softmax(logits_i)[targets[i]] = logits[i,t] - logsumexp(logits_i),   [N]
//	entropy[i] = -sum_j p_ij log p_ij = logsumexp(logits_i) - sum_j p_ij logits_ij,       [N]
//
// Both are differentiable; seed either or both with GradOf before Backward:
//
//	dlogits_ij = glogp_i (1[j=t] - p_ij) - gent_i p_ij (log p_ij + entropy_i).
//
// Rows with targets[i] < 0 (padding, prompt) or targets[i] >= V are ignored: logp and entropy are 0 and
// no gradient flows. Callers check token ids first so out-of-vocabulary targets are reported, not ignored.
func (tp *Tape) LogSoftmaxGather(logits *Var, targets []int) (logp, entropy *Var) {
	n, nv := lastDim(logits.Value)
	if len(targets) != n {
		shapePanic("LogSoftmaxGather", "got "+itoa(len(targets))+" targets for "+itoa(n)+" rows of logits "+shapeStr(logits.Value))
	}
	x := logits.Value.Data
	lp, ent := New(n), New(n) // [N], [N]
	lse := tp.buf(n, false)   // [N], set for the rows that are read
	parallelGrain(n, 16, func(lo, hi int) {
		lpr := getScratch(nv) // [V] log-probabilities of one row
		for i := lo; i < hi; i++ {
			t := targets[i]
			if t < 0 || t >= nv {
				continue
			}
			row := x[i*nv : (i+1)*nv]
			lse[i] = LogSumExp(row)
			lp.Data[i] = row[t] - lse[i]
			ent.Data[i] = entropyRow(row, lse[i], lpr)
		}
		putScratch(lpr)
	})
	logp, entropy = result(lp, logits), result(ent, logits)
	if !logp.needsGrad {
		return logp, entropy
	}
	tp.backs = append(tp.backs, func() {
		if logp.Grad == nil && entropy.Grad == nil {
			return
		}
		dx := tp.gradData(logits)
		parallelGrain(n, 16, func(lo, hi int) {
			pr := getScratch(nv) // [V] probabilities of one row
			for i := lo; i < hi; i++ {
				t := targets[i]
				if t < 0 || t >= nv {
					continue
				}
				var gl, ge float32
				if logp.Grad != nil {
					gl = logp.Grad.Data[i]
				}
				if entropy.Grad != nil {
					ge = entropy.Grad.Data[i]
				}
				row, dr := x[i*nv:(i+1)*nv], dx[i*nv:(i+1)*nv]
				h := ent.Data[i]
				rowProbs(pr, row, lse[i])
				for j, v := range row {
					p := pr[j]
					dr[j] += -gl*p - ge*p*(v-lse[i]+h)
				}
				dr[t] += gl
			}
			putScratch(pr)
		})
	})
	return logp, entropy
}

// entropyRow returns -sum p log p for one row given its logsumexp (p by vek's SIMD exp, the sum in
// float64); scratch holds at least len(row) elements.
func entropyRow(row []float32, lse float32, scratch []float32) float32 {
	p := scratch[:len(row)]
	rowProbs(p, row, lse)
	var s float64
	for j, v := range row {
		s -= float64(p[j]) * float64(v-lse)
	}
	return float32(s)
}

// rowProbs sets p[j] = exp(row[j] - lse), the softmax of a row given its logsumexp. Log-probabilities
// below expFloor (where vek's exp is not valid) give exactly 0.
func rowProbs(p, row []float32, lse float32) {
	p = p[:len(row)]
	for j, v := range row {
		p[j] = max(v-lse, expFloor)
	}
	vek32.Exp_Inplace(p)
	for j, v := range row {
		if v-lse < expFloor {
			p[j] = 0
		}
	}
}

// CrossEntropy returns the scalar [1] mean over rows with 0 <= targets[i] < V of -log softmax(logits_i)[t].
// Backward: dlogits_ij = g (p_ij - 1[j=t]) / count. With no valid row the loss is 0 and has no gradient.
func (tp *Tape) CrossEntropy(logits *Var, targets []int) *Var {
	n, nv := lastDim(logits.Value)
	if len(targets) != n {
		shapePanic("CrossEntropy", "got "+itoa(len(targets))+" targets for "+itoa(n)+" rows of logits "+shapeStr(logits.Value))
	}
	x := logits.Value.Data
	lse := make([]float32, n)
	nll := make([]float64, n)
	count := 0
	for _, t := range targets {
		if t >= 0 && t < nv {
			count++
		}
	}
	parallelGrain(n, 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if t := targets[i]; t >= 0 && t < nv {
				lse[i] = LogSumExp(x[i*nv : (i+1)*nv])
				nll[i] = float64(lse[i] - x[i*nv+t])
			}
		}
	})
	loss := New(1) // [1]
	var sum float64
	for _, v := range nll { // fixed order
		sum += v
	}
	if count > 0 {
		loss.Data[0] = float32(sum / float64(count))
	}
	res := result(loss, logits)
	tp.record(res, func(g []float32) {
		if count == 0 {
			return
		}
		dx := tp.gradData(logits)
		scale := g[0] / float32(count)
		parallelGrain(n, 16, func(lo, hi int) {
			pr := getScratch(nv) // [V] probabilities of one row
			for i := lo; i < hi; i++ {
				t := targets[i]
				if t < 0 || t >= nv {
					continue
				}
				dr := dx[i*nv : (i+1)*nv]
				rowProbs(pr, x[i*nv:(i+1)*nv], lse[i])
				for j, p := range pr[:nv] {
					dr[j] += scale * p
				}
				dr[t] -= scale
			}
			putScratch(pr)
		})
	})
	return res
}
