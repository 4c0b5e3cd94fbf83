# resources.mk — what each DAG step asks a cluster scheduler for, as make
# variables a launcher line can use (included last, after every experiment):
#
#   STEP_CPUS   CPUs (threads) of the step             default 1
#   STEP_MEM    memory in MiB                          default 2000
#   STEP_TIME   time limit in minutes                  default 60
#
# SRUN_LAUNCH is the Slurm launcher built from them; inside an allocation
#
#   make -j64 figures SCALE=paper LAUNCH='$(SRUN_LAUNCH)'
#
# runs every tool as one job step of the size its target declares. Write your
# own line the same way, with single `$` inside single quotes so the shell
# passes it through and make expands it per target, e.g.
#   LAUNCH='srun -n1 -c$(STEP_CPUS) --mem=$(STEP_MEM)M -t $(STEP_TIME) --exact --quiet'
# (`$$(STEP_CPUS)` would reach the shell as a command substitution.)
#
# The values are per target, by pattern: a more specific pattern (shorter stem)
# wins, so `dz10000_%/dl-fista.npz` overrides `dz10000_%` overrides
# `%/dl-fista.npz`. They are `private`, so a target's request is not inherited
# by the prerequisites it makes. The numbers are estimates from this project's
# measurements (README: cost of the presets; the timing log of a run,
# $(RESULTS_DIR)/timing.log, has each step's wall time and peak memory):
# raise them for your machines with the same patterns in a file of your own,
# or on the command line for all steps (STEP_TIME=600).
#
# Threads follow the step: srun -cN sets SLURM_CPUS_PER_TASK=N, which every
# tool's default thread count and BLIS (scripts/time-step.sh) then use.

STEP_CPUS ?= 1
STEP_MEM ?= 2000
STEP_TIME ?= 60
SRUN_LAUNCH = srun -n1 -c$(STEP_CPUS) --mem=$(STEP_MEM)M -t $(STEP_TIME) --exact --quiet

# $(call step_resources,TARGET-PATTERN,CPUS,MEM_MIB,MINUTES)
step_resources = $(eval $(1): private STEP_CPUS := $(2))$(eval $(1): private STEP_MEM := $(3))$(eval $(1): private STEP_TIME := $(4))

# Learners at any size: DL-FISTA and the LISTAs use their threads well;
# SAE training runs on one thread (train-sae's choice), long.
$(call step_resources,$(RUNS_DIR)/%/dl-fista.npz,2,2000,120)
$(call step_resources,$(RUNS_DIR)/%/softplus-adam.npz,2,2000,120)
$(call step_resources,$(RUNS_DIR)/%/lista-oracle.npz,2,2000,120)
$(call step_resources,$(RUNS_DIR)/%/lista-oracle-stable.npz,2,2000,120)
$(call step_resources,$(RUNS_DIR)/%/dl-lista.npz,2,2000,120)
$(foreach v,$(SAE_VARIANTS),$(call step_resources,$(RUNS_DIR)/%/sae-$(v).npz,1,2000,120))
# learn-dict (dictionary-learning, beyond the paper): ~53 CPU s at d_z = 1000
# (val), about twice that from train + val; the true-code limit is one solve.
$(call step_resources,$(RUNS_DIR)/%/learn-dict.npz,2,2000,60)
$(call step_resources,$(RUNS_DIR)/%/learn-dict-train-val.npz,2,2000,120)
$(call step_resources,$(RUNS_DIR)/%/true-codes.npz,1,2000,30)

# The paper's large configurations (SCALE=paper: d_z = 5000 and 10 000; at
# 10 000 a codes matrix is 2500 x 10 000 floats, and eval's matching and
# DL-FISTA's d_z x d_z solve dominate). Every step on such a dataset first:
$(call step_resources,$(DATA_DIR)/dz5000_%.npz,1,4000,30)
$(call step_resources,$(DATA_DIR)/dz10000_%.npz,1,4000,30)
$(call step_resources,$(RUNS_DIR)/dz5000_%,2,8000,240)
$(call step_resources,$(RUNS_DIR)/dz10000_%,2,16000,480)
# then the learners there, which take hours.
$(call step_resources,$(RUNS_DIR)/dz5000_%/dl-fista.npz,8,16000,720)
$(call step_resources,$(RUNS_DIR)/dz10000_%/dl-fista.npz,16,32000,1440)
$(call step_resources,$(RUNS_DIR)/dz5000_%/softplus-adam.npz,8,16000,1440)
$(call step_resources,$(RUNS_DIR)/dz10000_%/softplus-adam.npz,16,32000,2880)
# learn-dict there: d_z x d_z Gram matrices (the limit's (ZᵀZ)⁺ in float64:
# 800 MB at 10 000) and the d_z growth of each round; estimates, unmeasured.
$(foreach s,5000 10000,$(foreach m,learn-dict learn-dict-train-val true-codes,\
  $(call step_resources,$(RUNS_DIR)/dz$(s)_%/$(m).npz,8,16000,720)))
$(foreach s,5000 10000,$(foreach v,$(SAE_VARIANTS),\
  $(call step_resources,$(RUNS_DIR)/dz$(s)_%/sae-$(v).npz,1,8000,1440)))

# Large latents (large-latents.mk, SPEC §8; k = 10, p = 1000): measured here
# (README "Beyond the paper: large latents"; /usr/bin/time's peak resident set).
# gen-data: 0.27 GB at d_z = 10⁵, 2.8 GB at 10⁶. At 10⁵ every step but the SAE
# runs below holds under 1.3 GB and 10 CPU-min. At 10⁶ (one seed, 2 threads,
# quiet machine): fista (the oracle, 100 iterations, and so FISTA on a frozen
# decoder) 5.9 GB, 1096 CPU s; probe 10.6 GB, 412 CPU s; eval 8.2 GB (the
# oracle's, before two 0.9 GB cuts), 187 CPU s. An SAE decoder's match to A at
# 10⁶ is a 10⁶ × 10⁶ candidate product, ~4.6·10¹⁴ flops: over an hour of a core.
$(call step_resources,$(DATA_DIR)/dz100000_%.npz,1,1000,15)
$(call step_resources,$(DATA_DIR)/dz500000_%.npz,1,3000,30)
$(call step_resources,$(DATA_DIR)/dz1000000_%.npz,1,4500,60)
$(call step_resources,$(RUNS_DIR)/dz100000_%,1,4000,60)
$(call step_resources,$(RUNS_DIR)/dz500000_%,1,8000,240)
$(call step_resources,$(RUNS_DIR)/dz1000000_%,1,14000,480)
# SAE training there, one thread, 500 epochs, measured at 10⁵ (seed 0): TopK
# 318 CPU s, ReLU 1046, JumpReLU 999, MP 1838, all under 0.9 GB; at 10⁶ the TopK SAE (its
# weights, gradients and AdamW moments) peaked at 8.6 GB and took 3753 CPU s
# (82 min wall on a shared machine). 5·10⁵ from those by width.
$(foreach v,$(SAE_VARIANTS),$(call step_resources,$(RUNS_DIR)/dz100000_%/sae-$(v).npz,1,2000,180))
$(call step_resources,$(RUNS_DIR)/dz500000_%/sae-topk.npz,1,6000,240)
$(call step_resources,$(RUNS_DIR)/dz1000000_%/sae-topk.npz,1,12000,360)
