"""proteomics_worker: the default analysis worker of cdk-proteomics-platform.

psims (used by pyteomics to read mzML/mzXML) is switched to its bundled PSI-MS
vocabulary by :func:`proteomics_worker.offline.configure`, which the readers call
before opening any file, so that no reader ever touches the network.
"""

from __future__ import annotations

__version__ = "1.0.0"
TOOL_NAME = "proteomics_worker"
