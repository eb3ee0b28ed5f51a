"""The reference implementation's engine (reference_impl/engine): clearing math in ``clearing``, the CRR system's domain in ``system``."""
