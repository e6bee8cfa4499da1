//! The optional hidden layer: a few rectified units that read what a sum of weights
//! cannot.
//!
//! A logistic regression adds evidence up; it cannot say "a big container is content
//! unless its class names say comments". Forests fitted on the very same rows read
//! such interactions and scored higher on held-out hosts and on sources never seen,
//! but cost several times a page's whole extraction to score (README, seventeenth
//! round). One hidden layer of a few rectified units reads them for a few more dot
//! products per block:
//!
//! ```text
//! logit = b + Σ_h u_h · max(0, c_h + v_h · x)      (x: the standardized feature row)
//! ```
//!
//! This module owns the layer as the model file stores it ([`HiddenLayer`]), its
//! settings ([`NetworkParams`], checked once before any work, as linfa checks its
//! parameters), and its fit ([`fit`]): minibatch Adam on the row-weighted logistic
//! loss with an L2 penalty on the weights (not the biases), as scikit-learn's
//! `MLPClassifier` fits it, which is where the settings were measured first (README,
//! nineteenth round). The fit is deterministic: one thread, a seeded shuffle and
//! initialisation, so the same rows give the same bits. Scoring lives with the rest
//! of the scorer ([`crate::model`]).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A fitted hidden layer on the model's standardized features, as the model file
/// stores it (version 7 and later; [`crate::model::ModelFile::hidden`]). The model's
/// linear `weights` and `intercept` still apply: the logit is their sum with the
/// units' (the network fitted here leaves the linear weights at zero).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HiddenLayer {
    /// Each unit's weights on the standardized features, unit after unit (units ×
    /// features values).
    pub weights: Vec<f32>,
    /// Each unit's bias.
    pub biases: Vec<f32>,
    /// The logit's weight on each unit's output.
    pub output: Vec<f32>,
}

impl HiddenLayer {
    /// The number of units.
    pub fn units(&self) -> usize {
        self.output.len()
    }

    /// Checks the layer's shape against `features` inputs, and its numbers.
    pub(crate) fn check(&self, features: usize) -> std::result::Result<(), String> {
        let units = self.units();
        if units == 0 || units > MAX_UNITS {
            return Err(format!(
                "the hidden layer has {units} units (1 to {MAX_UNITS} are allowed)"
            ));
        }
        if self.biases.len() != units {
            return Err(format!(
                "the hidden layer has {} biases for {units} units",
                self.biases.len()
            ));
        }
        if self.weights.len() != units * features {
            return Err(format!(
                "the hidden layer has {} weights, expected {units} units × {features} features",
                self.weights.len()
            ));
        }
        let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
        if !finite(&self.weights) || !finite(&self.biases) || !finite(&self.output) {
            return Err("non-finite numbers in the hidden layer".into());
        }
        Ok(())
    }
}

/// The most hidden units a layer may have: scoring adds a row's values to all units
/// at once in one fixed-width array (no allocation per block, vector code). 16 and
/// 32 units scored no better than 8 ([`DEFAULT_UNITS`]).
pub const MAX_UNITS: usize = 8;

/// Settings of the network's fit. Validated once by [`NetworkParams::check`].
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkParams {
    /// Hidden units; 0 fits the plain logistic regression instead (linfa). Default
    /// [`DEFAULT_UNITS`] here; [`crate::train::TrainParams`] defaults to 0.
    pub units: usize,
    /// L2 penalty on the weights, per minibatch: the batch's loss is its rows'
    /// weighted mean plus alpha / 2 × ‖weights‖² / (the batch's summed row weights),
    /// scikit-learn's convention. Default [`DEFAULT_ALPHA`].
    pub alpha: f64,
    /// Passes over the rows. Default [`DEFAULT_EPOCHS`].
    pub epochs: usize,
    /// Rows per Adam step. Default 512.
    pub batch_size: usize,
    /// Adam's step size. Default 0.001.
    pub learning_rate: f64,
    /// Seed of the initial weights and of the shuffles.
    pub seed: u64,
}

/// The default number of hidden units (HTML mode). On the exported cross-validation
/// rows of the four training sets (README, nineteenth round), held-out hosts, own
/// decoder / chosen on the other folds, against the logistic regression's 0.8876 /
/// 0.8869: 4 units 0.8900 / 0.8851, **8 units 0.8934 / 0.8906**, 16 units 0.8931 /
/// 0.8895, 32 units 0.8918 / 0.8893 (alpha 10, 20 epochs).
pub const DEFAULT_UNITS: usize = 8;

/// The default [`NetworkParams::alpha`]. With 8 units: alpha 1, 0.8884 / 0.8874; 3,
/// 0.8915 / 0.8895; **10, 0.8934 / 0.8906**; 30, 0.8867 / 0.8850. (A weak penalty
/// overfits: 0.001 gave 0.8839 / 0.8812, below the logistic regression.)
pub const DEFAULT_ALPHA: f64 = 10.0;

/// The default [`NetworkParams::epochs`] (40 scored no better than 20).
pub const DEFAULT_EPOCHS: usize = 20;

impl Default for NetworkParams {
    fn default() -> NetworkParams {
        NetworkParams {
            units: DEFAULT_UNITS,
            alpha: DEFAULT_ALPHA,
            epochs: DEFAULT_EPOCHS,
            batch_size: 512,
            learning_rate: 1e-3,
            seed: 0x0005_eed0_fde4,
        }
    }
}

impl NetworkParams {
    /// Rejects settings no fit can run with (checked before any page is read).
    pub fn check(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::invalid_parameter(format!(
                "the hidden layer's alpha must be a finite number >= 0, got {}",
                self.alpha
            )));
        }
        if self.units > 0 && (self.epochs == 0 || self.batch_size == 0) {
            return Err(Error::invalid_parameter(
                "the hidden layer needs at least one epoch and a batch size above 0",
            ));
        }
        if self.units > MAX_UNITS {
            return Err(Error::invalid_parameter(format!(
                "at most {MAX_UNITS} hidden units, got {}",
                self.units
            )));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::invalid_parameter(format!(
                "the hidden layer's learning rate must be above 0, got {}",
                self.learning_rate
            )));
        }
        Ok(())
    }
}

/// What [`fit`] returns: the layer and the output's bias (the model's intercept), both
/// on standardized features.
#[derive(Debug, Clone)]
pub struct FittedNetwork {
    /// The hidden layer.
    pub layer: HiddenLayer,
    /// The logit's bias.
    pub intercept: f32,
}

/// Standardized inputs are clipped to this many standard deviations in the fit, so a
/// rare 0/1 feature (standardized to 100 or more) cannot swamp a unit's first steps.
/// Scoring does not clip; the L2 penalty keeps such weights small.
const FIT_CLIP: f32 = 10.0;

/// Fits the network on `rows` (each row's features, its label and its weight, the
/// number of times the logistic regression would count it), standardized by `means`
/// and `scales`. Errors when there are no rows, a row's width differs from `means`, a
/// weight is negative or not finite, or the labels have one class.
pub fn fit(
    rows: &[(&[f32], &[f32], bool, f32)],
    means: &[f32],
    scales: &[f32],
    params: &NetworkParams,
) -> Result<FittedNetwork> {
    params.check()?;
    let d = means.len();
    let units = params.units;
    if rows.is_empty() || d == 0 || units == 0 {
        return Err(Error::fit("no training blocks or no hidden units"));
    }
    if scales.len() != d {
        return Err(Error::fit(format!(
            "{} scales for {d} means: one of each per feature",
            scales.len()
        )));
    }
    if let Some(k) = rows.iter().position(|r| r.0.len() + r.1.len() != d) {
        return Err(Error::fit(format!(
            "training row {k} has {} values, expected {d}",
            rows[k].0.len() + rows[k].1.len()
        )));
    }
    if let Some(k) = rows.iter().position(|r| !(r.3.is_finite() && r.3 >= 0.0)) {
        return Err(Error::fit(format!(
            "training row {k} has weight {}, expected a finite number >= 0",
            rows[k].3
        )));
    }
    let positives = rows.iter().filter(|r| r.2).count();
    if positives == 0 || positives == rows.len() {
        return Err(Error::fit("training labels have only one class"));
    }
    let mut rng = SplitMix(params.seed);
    // Glorot-uniform initialisation, as scikit-learn's (biases too).
    let uniform = |rng: &mut SplitMix, bound: f64| ((rng.unit() * 2.0 - 1.0) * bound) as f32;
    let bound_in = (6.0 / (d + units) as f64).sqrt();
    let bound_out = (6.0 / (units + 1) as f64).sqrt();
    // Parameters in one vector, so Adam runs over one slice: the units' weights
    // (units × d), their biases, the output weights, the output bias.
    let (w_end, c_end, u_end) = (units * d, units * d + units, units * d + 2 * units);
    let mut params_v: Vec<f32> = Vec::with_capacity(u_end + 1);
    params_v.extend((0..units * d).map(|_| uniform(&mut rng, bound_in)));
    params_v.extend((0..units).map(|_| uniform(&mut rng, bound_in)));
    params_v.extend((0..units).map(|_| uniform(&mut rng, bound_out)));
    params_v.push(uniform(&mut rng, bound_out));
    let n_params = params_v.len();
    let mut grad = vec![0.0f32; n_params];
    let mut first = vec![0.0f32; n_params];
    let mut second = vec![0.0f32; n_params];
    let inv: Vec<f32> = scales.iter().map(|s| 1.0 / s).collect();
    let mut x = vec![0.0f32; d];
    let mut pre = vec![0.0f32; units];
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let (beta1, beta2, eps) = (0.9f64, 0.999f64, 1e-8f64);
    let lr = params.learning_rate;
    let mut step = 0i32;
    for _ in 0..params.epochs {
        shuffle(&mut order, &mut rng);
        for batch in order.chunks(params.batch_size) {
            grad.fill(0.0);
            let mut weight_sum = 0.0f32;
            for &r in batch {
                let (features, extra, label, weight) = rows[r];
                for (j, (xj, &v)) in x.iter_mut().zip(features.iter().chain(extra)).enumerate() {
                    *xj = ((v - means[j]) * inv[j]).clamp(-FIT_CLIP, FIT_CLIP);
                }
                let (w, rest) = params_v.split_at(w_end);
                let (c, rest) = rest.split_at(units);
                let (u, b) = rest.split_at(units);
                let mut z = b[0];
                for h in 0..units {
                    pre[h] = c[h] + dot(&w[h * d..(h + 1) * d], &x);
                    z += u[h] * pre[h].max(0.0);
                }
                let delta = (sigmoid(z) - label as u8 as f32) * weight;
                weight_sum += weight;
                let (gw, rest) = grad.split_at_mut(w_end);
                let (gc, rest) = rest.split_at_mut(units);
                let (gu, gb) = rest.split_at_mut(units);
                gb[0] += delta;
                for h in 0..units {
                    if pre[h] > 0.0 {
                        gu[h] += delta * pre[h];
                        let back = delta * u[h];
                        gc[h] += back;
                        for (g, &xj) in gw[h * d..(h + 1) * d].iter_mut().zip(&x) {
                            *g += back * xj;
                        }
                    }
                }
            }
            // The penalty on the weights (not the biases), then the batch's mean.
            let alpha = params.alpha as f32;
            for (k, (g, &p)) in grad.iter_mut().zip(&params_v).enumerate() {
                let penalised = k < w_end || (c_end..u_end).contains(&k);
                if penalised {
                    *g += alpha * p;
                }
                *g /= weight_sum.max(f32::MIN_POSITIVE);
            }
            step += 1;
            let lr_t = (lr * (1.0 - beta2.powi(step)).sqrt() / (1.0 - beta1.powi(step))) as f32;
            for k in 0..n_params {
                let g = grad[k];
                first[k] = beta1 as f32 * first[k] + (1.0 - beta1 as f32) * g;
                second[k] = beta2 as f32 * second[k] + (1.0 - beta2 as f32) * g * g;
                params_v[k] -= lr_t * first[k] / (second[k].sqrt() + eps as f32);
            }
        }
    }
    if params_v.iter().any(|v| !v.is_finite()) {
        return Err(Error::fit("the hidden layer's fit diverged"));
    }
    let intercept = params_v[u_end];
    params_v.truncate(u_end);
    let output = params_v.split_off(c_end);
    let biases = params_v.split_off(w_end);
    Ok(FittedNetwork {
        layer: HiddenLayer {
            weights: params_v,
            biases,
            output,
        },
        intercept,
    })
}

/// The logistic: a logit's probability (the fit's and the scorer's, one formula).
#[inline]
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// A probability's logit, the inverse of [`sigmoid`]; `p` is first kept 1e-5 away
/// from 0 and 1 so that certain blocks have a finite logit.
#[inline]
pub(crate) fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-5, 1.0 - 1e-5);
    (p / (1.0 - p)).ln()
}

/// The scorer's dot product ([`crate::model`]), eight lanes for the vectorizer.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    // Whole chunks of eight, so the lanes carry no bounds checks and vectorize
    // (indexing `a[c * 8 + k]` kept the loop scalar: 36 instructions per chunk).
    let (a_chunks, b_chunks) = (a[..n].chunks_exact(8), b[..n].chunks_exact(8));
    let (a_tail, b_tail) = (a_chunks.remainder(), b_chunks.remainder());
    let mut acc = [0.0f32; 8];
    for (x, y) in a_chunks.zip(b_chunks) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for (x, y) in a_tail.iter().zip(b_tail) {
        sum += x * y;
    }
    sum
}

/// SplitMix64: the fit's seeded randomness (initial weights, shuffles).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Fisher–Yates.
fn shuffle(order: &mut [usize], rng: &mut SplitMix) {
    for i in (1..order.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `dot` gives the bits of its defining order (eight running lane sums, added up
    /// in lane order, then the tail in order) for every length and length mismatch:
    /// the bundled models' scores, and the decoder chosen on them, depend on those
    /// bits, not only on the value.
    #[test]
    fn dot_keeps_its_summation_order_bit_for_bit() {
        fn reference(a: &[f32], b: &[f32]) -> f32 {
            let n = a.len().min(b.len());
            let mut acc = [0.0f32; 8];
            for c in 0..n / 8 {
                for k in 0..8 {
                    acc[k] += a[c * 8 + k] * b[c * 8 + k];
                }
            }
            let mut sum: f32 = acc.iter().sum();
            for k in (n / 8) * 8..n {
                sum += a[k] * b[k];
            }
            sum
        }
        let mut rng = crate::test_rng::XorShift::new(0xd07);
        for n in 0..70usize {
            for extra in [0usize, 3] {
                let a: Vec<f32> = (0..n + extra).map(|_| rng.unit() * 8.0 - 4.0).collect();
                let b: Vec<f32> = (0..n).map(|_| rng.unit() * 8.0 - 4.0).collect();
                assert_eq!(dot(&a, &b).to_bits(), reference(&a, &b).to_bits(), "{n}");
                assert_eq!(dot(&b, &a).to_bits(), reference(&b, &a).to_bits(), "{n}");
            }
        }
    }

    /// Rows of two 0/1 features labelled by their exclusive or, plus a constant and a
    /// noise feature: no weighted sum separates them (the best linear rule is right on
    /// three rows of four), the units can.
    fn xor_rows(n: usize) -> (Vec<[f32; 4]>, Vec<bool>) {
        let mut rng = crate::test_rng::XorShift::new(0x0dd_ba11);
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let (a, b) = ((i % 2) as f32, ((i / 2) % 2) as f32);
            rows.push([a, b, 1.0, rng.unit()]);
            labels.push((a != b) as u8 == 1);
        }
        (rows, labels)
    }

    fn small() -> NetworkParams {
        NetworkParams {
            units: 8,
            alpha: 0.01,
            epochs: 60,
            batch_size: 32,
            learning_rate: 0.01,
            seed: 7,
        }
    }

    fn fit_xor(params: &NetworkParams) -> (FittedNetwork, Vec<[f32; 4]>, Vec<bool>) {
        let (rows, labels) = xor_rows(400);
        let fit_rows: Vec<(&[f32], &[f32], bool, f32)> = rows
            .iter()
            .zip(&labels)
            .map(|(r, &l)| (&r[..], &[][..], l, 1.0))
            .collect();
        let means = [0.5, 0.5, 1.0, 0.5];
        let scales = [0.5, 0.5, 1.0, 0.29];
        (
            fit(&fit_rows, &means, &scales, params).unwrap(),
            rows,
            labels,
        )
    }

    /// The logit of a standardized row, straight from the fitted layer.
    fn logit(net: &FittedNetwork, x: &[f32]) -> f32 {
        let l = &net.layer;
        let d = x.len();
        net.intercept
            + (0..l.units())
                .map(|h| {
                    l.output[h] * (l.biases[h] + dot(&l.weights[h * d..(h + 1) * d], x)).max(0.0)
                })
                .sum::<f32>()
    }

    #[test]
    fn learns_an_exclusive_or_that_no_weighted_sum_can() {
        let (net, rows, labels) = fit_xor(&small());
        let right = rows
            .iter()
            .zip(&labels)
            .filter(|(r, &l)| {
                let x = [
                    (r[0] - 0.5) / 0.5,
                    (r[1] - 0.5) / 0.5,
                    0.0,
                    (r[3] - 0.5) / 0.29,
                ];
                (logit(&net, &x) > 0.0) == l
            })
            .count();
        assert!(right >= 390, "{right} of 400 right");
    }

    #[test]
    fn the_same_rows_give_the_same_bits_and_another_seed_other_ones() {
        let (a, _, _) = fit_xor(&small());
        let (b, _, _) = fit_xor(&small());
        assert_eq!(a.layer, b.layer);
        assert_eq!(a.intercept.to_bits(), b.intercept.to_bits());
        let (c, _, _) = fit_xor(&NetworkParams { seed: 8, ..small() });
        assert_ne!(a.layer, c.layer);
    }

    #[test]
    fn a_stronger_penalty_gives_smaller_weights() {
        let norm = |n: &FittedNetwork| n.layer.weights.iter().map(|w| w * w).sum::<f32>();
        let (weak, _, _) = fit_xor(&small());
        let (strong, _, _) = fit_xor(&NetworkParams {
            alpha: 30.0,
            ..small()
        });
        assert!(
            norm(&strong) < norm(&weak) * 0.5,
            "{} vs {}",
            norm(&strong),
            norm(&weak)
        );
    }

    #[test]
    fn bad_settings_and_rows_are_errors() {
        for bad in [
            NetworkParams {
                alpha: f64::NAN,
                ..small()
            },
            NetworkParams {
                alpha: -1.0,
                ..small()
            },
            NetworkParams {
                epochs: 0,
                ..small()
            },
            NetworkParams {
                batch_size: 0,
                ..small()
            },
            NetworkParams {
                learning_rate: 0.0,
                ..small()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
        let one_class: Vec<(&[f32], &[f32], bool, f32)> = vec![(&[1.0][..], &[][..], true, 1.0); 3];
        assert!(fit(&one_class, &[0.0], &[1.0], &small()).is_err());
        assert!(fit(&[], &[0.0], &[1.0], &small()).is_err());
        let both: Vec<(&[f32], &[f32], bool, f32)> = vec![
            (&[1.0][..], &[][..], true, 1.0),
            (&[0.0][..], &[][..], false, 1.0),
        ];
        assert!(fit(&both, &[0.5], &[0.5], &small()).is_ok());
        let err = fit(&both, &[0.5, 0.5], &[0.5, 0.5], &small()).unwrap_err();
        assert!(
            err.to_string().contains("has 1 values, expected 2"),
            "{err}"
        );
        let mut heavy = both.clone();
        heavy[1].3 = f32::NAN;
        let err = fit(&heavy, &[0.5], &[0.5], &small()).unwrap_err();
        assert!(err.to_string().contains("weight NaN"), "{err}");
    }

    #[test]
    fn check_names_what_is_wrong_with_a_layer() {
        let good = HiddenLayer {
            weights: vec![0.5; 6],
            biases: vec![0.0; 2],
            output: vec![1.0, -1.0],
        };
        assert!(good.check(3).is_ok());
        assert!(good
            .check(4)
            .unwrap_err()
            .contains("expected 2 units × 4 features"));
        let short = HiddenLayer {
            biases: vec![0.0],
            ..good.clone()
        };
        assert!(short.check(3).unwrap_err().contains("1 biases for 2 units"));
        let nan = HiddenLayer {
            output: vec![f32::NAN, 1.0],
            ..good.clone()
        };
        assert!(nan.check(3).unwrap_err().contains("non-finite"));
        let empty = HiddenLayer {
            weights: vec![],
            biases: vec![],
            output: vec![],
        };
        assert!(empty.check(3).is_err());
    }
}
