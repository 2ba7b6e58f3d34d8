"""What each claim of THEORY.md says: id, source, statement (LaTeX), kind.

The statements transcribe THEORY.md (which transcribes the papers); where THEORY.md marks a
formula as reconstructed, so does ``reconstructed`` here. The checks attached to each claim live
in :mod:`checks.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("symbolic identity", "exact limit", "asymptotic scaling", "experiment")


@dataclass(frozen=True)
class ClaimInfo:
    id: str
    source: str
    title: str
    statement: str  # LaTeX (text mode, with inline math)
    kind: str
    reconstructed: str = ""  # what THEORY.md could not read with certainty


CLAIMS: tuple[ClaimInfo, ...] = (
    ClaimInfo(
        "C1",
        "Lemma 1",
        "Tightness of the iterates",
        r"For $k \le O(1/\eta)$, $\|v_k\|^2 \le 1 + O(\max_i \tau_i \eta/(1-\mu)^2)$; with "
        r"$\tau_k \lesssim (1-\mu)^2/\eta^{1-\gamma}$, $\|v_k\|^2 \le 1 + O(\eta^\gamma)$ and "
        r"$\|v_{k+1}-v_k\| \le 2 C_d \eta/(1-\mu)$.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "C2",
        "Lemma 2",
        "Momentum approximation",
        r"$\|m_{k+1} - M(v_k)\| \le O(\eta\log(1/\eta)) + O(\tau_k\eta/(1-\mu)^2)$ w.p.\ 1, "
        r"$M(v) = [\Sigma v - v^\top\Sigma v\, v]/(1-\mu)$.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "C3",
        "Theorem 3 (poster Theorem 1)",
        "ODE limit",
        r"If $\tau_k \lesssim (1-\mu)^2/(\lambda_1\eta^{1-\gamma})$, $\gamma\in(0,1]$, then "
        r"$V^\eta(t) = v_{\lfloor t/\eta\rfloor}$ converges weakly to "
        r"$\dot V = [\Sigma V - (V^\top\Sigma V)V]/(1-\mu)$, solved by "
        r"$H_i(t) = H_i(0)e^{\lambda_i t/(1-\mu)}/\sqrt{\sum_j H_j(0)^2 e^{2\lambda_j t/(1-\mu)}}$"
        r"; $H(t)\to e_1$ when $H_1(0)\ne 0$.",
        "exact limit",
    ),
    ClaimInfo(
        "C4",
        "Lemma 4 + Theorem 5 (poster Theorem 2, $j=1$)",
        "OU limit at the optimum",
        r"If $\tau_k \asymp (1-\mu)^2/((\lambda_1+C_d)\eta^{1/2-\gamma})$, $\gamma\in(0,1/2]$, "
        r"$U_i = h_i/\sqrt\eta$ ($i\ne1$) converges to the stationary solution of "
        r"$dU = \frac{\lambda_i-\lambda_1}{1-\mu}U\,dt + \frac{\alpha_{i,1}}{1-\mu}dB_t$: "
        r"$\mathbb{E}h_i^2 \to \eta\alpha_{i,1}^2/(2(1-\mu)(\lambda_1-\lambda_i))$, relaxation "
        r"rate $(\lambda_1-\lambda_i)/(1-\mu)$.",
        "exact limit",
        reconstructed=r"$\alpha_{i,j} = \sqrt{\mathbb{E}[Y_i^2Y_j^2]}$ (the square root)",
    ),
    ClaimInfo(
        "C5",
        "Proposition 6",
        "Phase III: convergence to the optimum",
        r"$\eta\asymp(1-\mu)\epsilon(\lambda_1-\lambda_2)/\phi$, $\delta\asymp\sqrt\eta$; from "
        r"$H_1(0)^2\ge1-\delta^2$, after $T_3 = \frac{1-\mu}{2(\lambda_1-\lambda_2)}\log"
        r"\frac{(1-\mu)(\lambda_1-\lambda_2)\delta^2}{(1-\mu)(\lambda_1-\lambda_2)\epsilon-2\eta\phi}$"
        r", $\sum_{i\ge2}H_i(T_3)^2\le\epsilon$ w.p.\ $\ge 3/4$; "
        r"$N_3 = T_3/(\tau\eta) \asymp (\lambda_1+C_d)\phi^{1/2+\gamma}/([(1-\mu)"
        r"(\lambda_1-\lambda_2)]^{3/2+\gamma}\epsilon^{1/2+\gamma})\log(\cdot)$.",
        "asymptotic scaling",
        reconstructed=r"the constants inside the log of $T_3$",
    ),
    ClaimInfo(
        "C6",
        "Remark 7",
        "Async-SGD versus MSGD in Phase III",
        r"With $\mu=0$, $\hat N_3\asymp(\lambda_1+C_d)\phi^{1/2+\gamma}/((\lambda_1-\lambda_2)"
        r"^{3/2+\gamma}\epsilon^{1/2+\gamma})\log(\cdot)$, faster than MSGD's "
        r"$\tilde N_3\asymp\phi/(\epsilon(\lambda_1-\lambda_2)^2)\log(\cdot)$: delay is not "
        r"equivalent to momentum.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "C7",
        "Proposition 8",
        "Phase II: traversing between stationary points",
        r"$\eta\asymp\epsilon(\lambda_1-\lambda_2)/\phi$, $\tau\asymp(1-\mu)^2/(\lambda_1"
        r"\eta^{1-\gamma})$: $T_2 = \frac{1-\mu}{2(\lambda_1-\lambda_2)}\log\frac{1-\delta^2}"
        r"{\delta^2}$ gives $H_1(T_2)^2\ge1-\delta^2$; $N_2\asymp\lambda_1\phi^\gamma/(2(1-\mu)"
        r"(\lambda_1-\lambda_2)^{1+\gamma}\epsilon^\gamma)\log(\cdot)$.",
        "asymptotic scaling",
        reconstructed=r"$T_2$",
    ),
    ClaimInfo(
        "C8",
        "Theorem 9",
        "Unstable OU limit at a saddle",
        r"Near $e_j$ ($h_k-e_j\asymp\sqrt\eta$), $U_i$ ($i\ne j$) converges to "
        r"$dU=\frac{\lambda_i-\lambda_j}{1-\mu}U\,dt+\frac{\alpha_{i,j}}{1-\mu}dB_t$, unstable "
        r"when $\lambda_i>\lambda_j$.",
        "exact limit",
    ),
    ClaimInfo(
        "C9",
        "Proposition 10",
        "Phase I: escaping a saddle",
        r"$T_1=\frac{1-\mu}{2(\lambda_1-\lambda_2)}\log\left(\frac{2(1-\mu)\eta^{-1}\delta^2"
        r"(\lambda_1-\lambda_2)}{\Phi^{-1}((1+\nu)/2)^2\alpha_{12}^2}+1\right)$ gives "
        r"$H_2(T_1)^2\le1-\delta^2$ w.p.\ $\ge1-\nu$; $N_1\asymp(\lambda_1+C_d)\phi^{1/2+\gamma}/"
        r"(2(1-\mu)(\lambda_1-\lambda_2)^{3/2+\gamma}\epsilon^{1/2+\gamma})\log(\cdot)$.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "C10",
        "Remark 11, poster conclusion",
        "The tradeoff between momentum and asynchrony",
        r"Convergence needs $\tau\asymp(1-\mu)^2/((\lambda_1+C_d)\eta^{1/2-\gamma})$: larger "
        r"momentum forces a smaller delay; linear speed-up in $\tau$; poster: $N_{\rm async}\asymp"
        r"(\lambda_1+C_d)\phi^{1/2+\gamma}/((1-\mu)(\lambda_1-\lambda_2)^{3/2+\gamma}"
        r"\epsilon^{1/2+\gamma})$.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "C11",
        "poster Remark 3",
        "Random delays",
        r"Unbounded random delays are allowed under moment conditions, e.g.\ "
        r"$\mathbb{E}\tau_k\asymp(1-\mu)^2/((\lambda_1+C_d)\eta^{1/2-\gamma})$.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "C12",
        "Figure 1",
        "Optimal delay falls with momentum (streaming PCA)",
        r"$d=4$, $\Sigma=\mathrm{diag}(4,3,2,1)$, start at $(0,1,0,0)$, $\eta=5\times10^{-4}$, "
        r"100 runs: errors are flat in $\tau$ up to an optimal delay of 120, 80, 60, 30, 10 for "
        r"$\mu=0.7,0.8,0.85,0.9,0.95$; small-delay errors about 0.02 ($\mu=0.7$), 0.05 (0.9), "
        r"0.1 (0.95).",
        "experiment",
        reconstructed="the error metric and the iteration count are not stated",
    ),
    ClaimInfo(
        "C13",
        "Figure 2",
        "Optimal momentum falls with the number of workers (deep network)",
        r"SphereResNet34 on CIFAR-100, 8 GPUs: best momentum by workers "
        r"$1\to0.9$, $2\to0.7$, $4\to0.7$, $8\to0.5$.",
        "experiment",
    ),
    ClaimInfo(
        "C14",
        "Liu et al.\\ 2018 (MSGD paper)",
        "Momentum helps escape saddles, not convergence",
        r"At fixed $\eta$, Phase I and II times scale with $(1-\mu)$; the stationary error grows "
        r"like $1/(1-\mu)$.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "D1",
        "Gratton and Toint 2026, abstract",
        "Asynchronous adaptive first-order methods",
        r"Lock-free Hogwild!-style block updates with stale reads and method-specific adaptive "
        r"step sizes, for smooth nonconvex $\min_x\mathbb{E}f(x,\xi)$.",
        "experiment",
    ),
    ClaimInfo(
        "D2",
        "Gratton and Toint 2026, abstract",
        "Momentum and inexact normalisation variants",
        r"Variants with momentum and/or inexact normalisation belong to the class.",
        "experiment",
    ),
    ClaimInfo(
        "D3",
        "Gratton and Toint 2026, abstract",
        "Rate O(1/sqrt(t))",
        r"Convergence to a first-order stationary point at rate $O(1/\sqrt t)$ up to log factors, "
        r"with diminishing steps or suitable fixed steps with momentum.",
        "asymptotic scaling",
    ),
    ClaimInfo(
        "D4",
        "Gratton and Toint 2026, abstract",
        "Relevance for heterogeneous systems",
        r"Asynchronous adaptive methods suit heterogeneous large-scale systems; momentum and "
        r"normalisation choices affect throughput and generalisation.",
        "experiment",
    ),
    ClaimInfo(
        "E1",
        "ours (not in the papers)",
        "Exact finite-step linear theory",
        r"Linearised at the optimum, every mode (the radial one included) is a delayed "
        r"heavy-ball recursion $x_{k+1}=(1+\mu)x_k-\mu x_{k-1}-c\,x_{k-\tau}+\xi_k$ with an exact "
        r"stability boundary, stationary variance and mean-square stability under random delays.",
        "exact limit",
    ),
)

BY_ID: dict[str, ClaimInfo] = {c.id: c for c in CLAIMS}
