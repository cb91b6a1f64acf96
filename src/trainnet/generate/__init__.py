"""The dataset factory's generator: seed tasks in, self-instruct records out.

`seeds.load_seed_tasks` reads the seed file, `teachers.make_teacher` builds the model that writes tasks, and
`self_instruct.generate` yields new records round by round (filtered and deduplicated by ROUGE-L).
"""

from trainnet.generate.dedup import RougeDeduplicator
from trainnet.generate.seeds import SeedFileError, SeedTask, load_seed_tasks
from trainnet.generate.self_instruct import GenerationConfig, GenerationProgress, GenerationStalled, generate
from trainnet.generate.teachers import Completion, LocalTeacher, OpenAITeacher, Teacher, TeacherError, make_teacher

__all__ = [
    "Completion",
    "GenerationConfig",
    "GenerationProgress",
    "GenerationStalled",
    "LocalTeacher",
    "OpenAITeacher",
    "RougeDeduplicator",
    "SeedFileError",
    "SeedTask",
    "Teacher",
    "TeacherError",
    "generate",
    "load_seed_tasks",
    "make_teacher",
]
